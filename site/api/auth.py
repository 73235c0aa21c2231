"""How a request proves who it acts for: `Authorization: Bearer chr_…`, a token
with the scope the endpoint needs, held by an active user with a role at a school.
Sessions are not accepted: the API is for other clients, not for Chronicle's pages.
"""

import time
from functools import wraps

from auditlog.context import set_actor
from django.core.cache import cache
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from accounts.selectors import schools_where

from .conf import api_setting
from .models import Scope
from .services import TokenRefused, token_authenticate


class TokenAuth(HttpBearer):
    def __init__(self, scope=None):
        self.scope = Scope(scope) if scope else None
        super().__init__()

    def authenticate(self, request, token):
        try:
            api_token = token_authenticate(raw=token, request=request)
        except TokenRefused as refused:
            raise AuthenticationError(message=refused.reason) from None
        if self.scope and not api_token.has_scope(self.scope):
            raise AuthorizationError(
                message=_("This token may not be used for: %(scope)s.")
                % {"scope": self.scope.label}
            )
        if not schools_where(api_token.user).exists():
            raise AuthorizationError(message=_("You have no role at any school."))
        request.user = api_token.user
        return api_token


def acting_as_token_user(view):
    """Changes made during the call are logged with the token's user as actor (the
    audit middleware saw no signed-in user: the API has no session)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = getattr(request, "auth", None)
        if token is None:
            return view(request, *args, **kwargs)
        with set_actor(token.user, remote_addr=request.META.get("REMOTE_ADDR")):
            return view(request, *args, **kwargs)

    return wrapper


class TokenRateThrottle(BaseThrottle):
    """A fixed window per token (CHRONICLE_API_RATE, e.g. "120/min"), counted in
    the cache with add + incr, which are atomic on the shared caches (Redis,
    Memcached) a deployment of several servers uses."""

    timer = staticmethod(time.time)
    PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600}
    PERIODS.update(d=86400, day=86400)

    def _rate(self):
        count, period = api_setting("CHRONICLE_API_RATE").split("/")
        return int(count), self.PERIODS[period]

    def allow_request(self, request):
        token = getattr(request, "auth", None)
        if token is None:
            return True
        count, period = self._rate()
        window = int(self.timer() // period)
        key = f"api-rate:{token.prefix}:{window}"
        cache.add(key, 0, timeout=period + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=period + 1)
            used = 1
        return used <= count

    def wait(self):
        _count, period = self._rate()
        return period - (self.timer() % period)
