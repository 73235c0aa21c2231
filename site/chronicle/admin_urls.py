"""Each app's admin URLs under a namespace of its own (issue 15).

Wagtail's `register_admin_urls` hook puts every app's paths beside Wagtail's own,
where names like `reports` or `roles` would be one typo from a clash. An app's hook
returns `namespaced("<app>", [...])`: the paths keep their addresses and short names,
and are reversed as `<app>:<name>`. The namespace is the app's name, or `<app>_admin`
where the app already has one for URLs outside the admin (accounts, records).
One hook per app: two includes under one namespace would hide each other's names.
"""

from django.urls import include, path


def namespaced(namespace: str, patterns: list) -> list:
    return [path("", include((patterns, namespace)))]
