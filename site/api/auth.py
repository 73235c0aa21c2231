"""How a request proves who it acts for: `Authorization: Bearer chr_…`, a token
with the scope the endpoint needs, held by an active user with a role at a school.
Sessions are not accepted: the API is for other clients, not for Chronicle's pages.
"""

import time
from functools import wraps

from auditlog.context import set_actor
from django.core.cache import cache
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError, Throttled
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from accounts.selectors import schools_where

from .conf import api_setting
from .models import Scope
from .services import (
    TokenRefused,
    token_authenticate,
    token_prefix,
    token_refusal_record,
)


class TokenAuth(HttpBearer):
    def __init__(self, scope=None):
        self.scope = Scope(scope) if scope else None
        super().__init__()

    def authenticate(self, request, token):
        prefix = token_prefix(token)
        failures = FailedAuthentication(request, prefix)
        wait = failures.address_wait()
        if wait:
            raise Throttled(wait=wait)
        try:
            api_token = token_authenticate(raw=token)
        except TokenRefused as refused:
            counted = failures.count()
            if counted == 1:  # the first in this window: logged, once
                token_refusal_record(refused=refused, request=request)
            if counted > failures.limit:
                raise Throttled(wait=failures.retry_in) from None
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
        user = getattr(getattr(request, "auth", None), "user", None)
        if user is None:  # no token, or a school's service token (no person)
            return view(request, *args, **kwargs)
        with set_actor(user, remote_addr=request.META.get("REMOTE_ADDR")):
            return view(request, *args, **kwargs)

    return wrapper


def _rate(setting):
    count, period = api_setting(setting).split("/")
    return int(count), PERIODS[period]


PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600}
PERIODS.update(d=86400, day=86400)


def _count(key, period):
    """Add one to a fixed window's counter in the cache; add + incr are atomic on
    the shared caches (Redis, Memcached) a deployment of several servers uses."""
    cache.add(key, 0, timeout=period + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period + 1)
        return 1


class TokenRateThrottle(BaseThrottle):
    """A fixed window per token (CHRONICLE_API_RATE, e.g. "120/min"), counted in
    the cache."""

    timer = staticmethod(time.time)

    def allow_request(self, request):
        token = getattr(request, "auth", None)
        if token is None:
            return True
        count, period = _rate("CHRONICLE_API_RATE")
        window = int(self.timer() // period)
        return _count(f"api-rate:{token.prefix}:{window}", period) <= count

    def wait(self):
        _limit, period = _rate("CHRONICLE_API_RATE")
        return period - (self.timer() % period)


class FailedAuthentication:
    """Refused tokens, counted per client address and per token prefix in fixed
    windows (CHRONICLE_API_FAILED_AUTH_RATE, e.g. "10/min") in the shared cache.

    Past the limit, any token from that address gets 429 until the window ends,
    before anything is looked up: someone guessing prefixes, or a client retrying a
    revoked token, costs one cache read a call. A prefix past the limit only turns
    further *refusals* into 429: the prefix is not secret (admin lists, audit
    entries name it), so anyone could otherwise keep a school's MIS integration on
    429 with ten bad calls a minute. A call with the right secret is never held by
    the prefix's count; the 256-bit secret itself is what guessing cannot reach.

    The address is REMOTE_ADDR, as the audit log records it (set by the WSGI
    server, or by the trusted proxy's middleware)."""

    timer = staticmethod(time.time)

    def __init__(self, request, prefix):
        self.limit, self.period = _rate("CHRONICLE_API_FAILED_AUTH_RATE")
        now = self.timer()
        self.retry_in = self.period - (now % self.period)
        window = int(now // self.period)
        address = request.META.get("REMOTE_ADDR") or "unknown"
        self.address_key = f"api-auth-failed:address:{address}:{window}"
        self.keys = [self.address_key]
        if prefix is not None:
            self.keys.append(f"api-auth-failed:prefix:{prefix}:{window}")

    def address_wait(self):
        """Seconds until the window ends, if the address's limit is reached."""
        count = cache.get(self.address_key) or 0
        return self.retry_in if count >= self.limit else None

    def count(self):
        """Count one more refusal; returns the prefix's (or the address's) count."""
        return [_count(key, self.period) for key in self.keys][-1]
