"""Until the second factor is passed, a signed-in user sees nothing else."""

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from accounts.middleware import OPEN_TO_UNVERIFIED

TWO_FACTOR_PAGES = ("/account/two-factor/setup/", "/account/two-factor/verify/")


def _named_patterns(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def every_url():
    """One concrete URL for every named route, filling parameters with 1 or 'x'."""
    urls = set()
    for name in set(_named_patterns(get_resolver().url_patterns)):
        if name in OPEN_TO_UNVERIFIED:
            continue
        for args in ([], [1], ["x"], [1, 1], [1, "x"], ["x", "x"], [1, 1, 1]):
            try:
                urls.add(reverse(name, args=args))
                break
            except NoReverseMatch:
                continue
    urls.update(["/", "/no-such-page/", "/admin/no-such-page/"])
    return sorted(urls)


def test_the_url_list_covers_the_admin():
    urls = every_url()
    assert len(urls) > 100
    assert "/admin/" in urls
    assert "/account/two-factor/backup-codes/" in urls


@pytest.mark.parametrize("method", ["get", "post"])
def test_unverified_user_is_sent_to_two_factor_from_every_url(client, staff, method):
    client.force_login(staff)
    refused = []
    for url in every_url():
        response = getattr(client, method)(url)
        location = response.get("Location", "")
        if response.status_code != 302 or not location.startswith(TWO_FACTOR_PAGES):
            refused.append((url, response.status_code, location))
    assert refused == []


def test_anonymous_visitor_is_asked_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))


def test_unverified_user_can_sign_out(client, staff):
    client.force_login(staff)
    client.post(reverse("wagtailadmin_logout"))
    assert "_auth_user_id" not in client.session
