"""How the permission matrix requests a URL and names what came back."""

from http.cookies import SimpleCookie
from urllib.parse import urlparse

from django.contrib.messages import constants, get_messages
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.urls import reverse

ALLOW = "allowed"  # the view ran: a page, a download, a redirect onwards, or the
#                    input refused with a message (400/409/413/422)
LOGIN = "redirect-to-login"  # not signed in (the API: 401, no valid token)
DENY = "403/404"  # refused: 403, 404, or Wagtail's "no permission" bounce home
NOT_ALLOWED = "405"  # the method is not accepted here

INPUT_REFUSED = {400, 409, 413, 422}


def outcome(response):
    code = response.status_code
    if code >= 500:
        return f"500 ({code})"
    if code == 401:
        return LOGIN
    if code in (403, 404):
        return DENY
    if code == 405:
        return NOT_ALLOWED
    if code in (301, 302, 303, 307, 308):
        return _redirect(response)
    if code < 300 or code in INPUT_REFUSED:
        return ALLOW
    return str(code)


def _redirect(response):
    target = urlparse(response["Location"]).path
    if target in (reverse("wagtailadmin_login"), reverse("wagtailcore_login")):
        return LOGIN
    if target == reverse("wagtailadmin_home") and _refused(response.wsgi_request):
        return DENY
    return ALLOW


def _refused(request):
    """Wagtail turns PermissionDenied inside the admin into an error message and a
    redirect to the dashboard (wagtail.admin.auth.permission_denied)."""
    return any(message.level == constants.ERROR for message in get_messages(request))


def fetch(client, method, url, *, headers=None):
    """One request, its writes rolled back so the next one sees the same school.
    Returns (outcome, detail)."""
    cache.clear()  # API rate windows: the matrix is not a load test
    cookies = client.cookies  # a sign-out or a new session must not outlive it
    client.cookies = SimpleCookie({k: m.value for k, m in cookies.items()})
    try:
        return _fetch(client, method, url, headers)
    finally:
        client.cookies = cookies


def _fetch(client, method, url, headers):
    with transaction.atomic():
        try:
            response = getattr(client, method.lower())(url, headers=headers or {})
        except Exception as error:  # noqa: BLE001 - a 500, reported with its cause
            transaction.set_rollback(True)
            return "500", f"{type(error).__name__}: {error}"
        transaction.set_rollback(True)
    result = outcome(response)
    detail = f"{response.status_code} {response.get('Location', '')}".strip()
    close(response)
    return result, detail


def close(response):
    """Close a response (a file download's handle) without Django closing the
    database connection on request_finished: inside the test's transaction that
    would drop PostgreSQL's connection (SQLite's in-memory one ignores it). The test
    client does the same around its own close."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
