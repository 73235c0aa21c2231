"""AuditlogMiddleware that records only what the server itself knows.

django-auditlog reads X-Forwarded-For, X-Forwarded-Port and a correlation-id header
from the request: a browser can send any of them, to forge the recorded address or to
make audited writes fail (a port of -1 breaks the column's constraint). Chronicle takes
the address from REMOTE_ADDR (set by the WSGI server, or by a trusted proxy's own
middleware) and records no port.
"""

from auditlog.middleware import AuditlogMiddleware

from . import refusals


class ServerSideAuditlogMiddleware(AuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request):
        return request.META.get("REMOTE_ADDR") or None

    @staticmethod
    def _get_remote_port(request):
        return None


class RefusedAccessMiddleware:
    """A signed-in user refused a case URL (404 or 403) gets an ACCESS_DENIED entry
    (audit.refusals). After the authentication middleware; for the API, the token's
    user is on the request by the time the response comes back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in refusals.STATUSES:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                refusals.record_refusal(
                    request=request, user=user, status=response.status_code
                )
        return response
