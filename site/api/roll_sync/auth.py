"""How the roll endpoint knows who pushes: `Authorization: Bearer chs_…`, a usable
service token of an active school, with the scope the endpoint needs. A personal
token (chr_…) is refused here, as a service token is on every other endpoint."""

from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError, Throttled
from ninja.security import HttpBearer

from ..auth import FailedAuthentication
from ..models import ServiceScope
from .services import ServiceTokenRefused, service_token_authenticate


class ServiceTokenAuth(HttpBearer):
    def __init__(self, scope: ServiceScope):
        self.scope = scope
        super().__init__()

    def authenticate(self, request, token):
        failures = FailedAuthentication(request, None)
        wait = failures.address_wait()
        if wait:
            raise Throttled(wait=wait)
        try:
            service_token = service_token_authenticate(raw=token)
        except ServiceTokenRefused as refused:
            if failures.count() > failures.limit:
                raise Throttled(wait=failures.retry_in) from None
            raise AuthenticationError(message=str(refused)) from None
        if service_token.scope != self.scope:
            raise AuthorizationError(message=_("This token may not be used here."))
        return service_token
