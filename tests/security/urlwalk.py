"""Every URL pattern of the site, walked from the root URLconf, with what it takes
to request it: the permission matrix (test_permission_matrix.py) is generated from
this list, so a view added anywhere is found without anyone listing it."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str | None  # "namespace:name" as reverse() takes it
    route: str  # the pattern text, for messages
    module: str  # the view's module, to tell Wagtail's own views from ours
    params: tuple  # the URL's parameter names, in order

    @property
    def is_wagtails(self):
        """Wagtail's built-in admin (pages, images, users…): covered by prefix."""
        if self.name is None:
            return self.module.startswith("wagtail") or self.module.startswith(
                "django.views.generic"
            )
        return self.name.startswith("wagtail")

    @property
    def is_admin(self):
        return self.route.startswith("admin/")


def _params(pattern):
    converters = getattr(pattern, "converters", None)
    regex = pattern.regex
    names = list(regex.groupindex)
    return tuple(names) if names else tuple(converters or ())


def routes(patterns=None, prefix="", namespace=None, outer=()):
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = (
                    f"{namespace}:{pattern.namespace}"
                    if namespace
                    else (pattern.namespace)
                )
            yield from routes(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                ns,
                outer + _params(pattern.pattern),
            )
        elif isinstance(pattern, URLPattern):
            name = pattern.name
            if name and namespace:
                name = f"{namespace}:{name}"
            callback = pattern.callback
            module = getattr(callback, "__module__", "") or ""
            yield Route(
                name=name,
                route=prefix + str(pattern.pattern),
                module=module,
                params=outer + _params(pattern.pattern),
            )


STRIP = re.compile(r"[\^$]")


def by_name():
    """name -> Route; the first pattern of a name wins, as reverse() would pick."""
    found = {}
    for route in routes():
        if route.name and route.name not in found:
            found[route.name] = route
    return found
