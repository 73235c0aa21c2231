"""AuditlogMiddleware that records only what the server itself knows.

django-auditlog reads X-Forwarded-For, X-Forwarded-Port and a correlation-id header
from the request: a browser can send any of them, to forge the recorded address or to
make audited writes fail (a port of -1 breaks the column's constraint). Chronicle takes
the address from REMOTE_ADDR (set by the WSGI server, or by a trusted proxy's own
middleware) and records no port.
"""

from auditlog.middleware import AuditlogMiddleware


class ServerSideAuditlogMiddleware(AuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request):
        return request.META.get("REMOTE_ADDR") or None

    @staticmethod
    def _get_remote_port(request):
        return None
