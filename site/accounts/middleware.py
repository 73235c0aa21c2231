"""The two-factor gate: a signed-in user who has not passed a second factor sees
only sign-in, enrolment, verification and sign-out. And the session clock: idle
timeout and absolute lifetime.

Runs after django_otp's OTPMiddleware. Anonymous users are left to each view's own
login requirement (the Wagtail admin sends them to sign in).
"""

import time
from urllib.parse import urlencode

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import ngettext

from audit.services import security_event

from .two_factor import has_two_factor

OPEN_TO_UNVERIFIED = {
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "accounts:two_factor_setup",
    "accounts:two_factor_verify",
    # Load balancers' and monitoring's checks (chronicle.health): no case data.
    "health_live",
    "health_ready",
}


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.view_name in OPEN_TO_UNVERIFIED:
            return None
        step = "verify" if has_two_factor(user) else "setup"
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse(f'accounts:two_factor_{step}')}?{query}")


# Requests the admin's own scripts send while a page is merely open (Wagtail's
# "someone else is editing" pings, every few seconds): they must not count as the
# person being at the keyboard, or an unattended editor would stay signed in forever.
BACKGROUND_VIEWS = {
    "wagtailadmin_editing_sessions:ping",
    "wagtailadmin_editing_sessions:release",
}
LAST_ACTIVITY = "chronicle_last_activity"
SIGNED_IN_AT = "chronicle_signed_in_at"
ACTIVITY_RESOLUTION = 30  # seconds: the session is not rewritten on every request


class SessionTimeoutMiddleware:
    """Signs a user out after CHRONICLE_SESSION_IDLE_MINUTES without a request they
    made, and CHRONICLE_SESSION_MAX_HOURS after they signed in, whatever they did.

    Shared staffroom computers get left signed in; an open child's file must not
    stay on screen for whoever sits down next. The sign-in page then says why.
    Runs in process_view, after the messages middleware has set up its storage.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        now = int(time.time())
        session = request.session
        signed_in_at = session.setdefault(SIGNED_IN_AT, now)
        last = session.get(LAST_ACTIVITY, now)
        idle = settings.CHRONICLE_SESSION_IDLE_MINUTES * 60
        if now - last > idle:
            return self._sign_out(request, "idle")
        if now - signed_in_at > settings.CHRONICLE_SESSION_MAX_HOURS * 3600:
            return self._sign_out(request, "lifetime")
        background = request.resolver_match.view_name in BACKGROUND_VIEWS
        if not background and (
            LAST_ACTIVITY not in session
            or now - last
            >= getattr(
                settings, "CHRONICLE_SESSION_ACTIVITY_RESOLUTION", ACTIVITY_RESOLUTION
            )
        ):
            session[LAST_ACTIVITY] = now
        return None

    def _sign_out(self, request, reason):
        user = request.user
        logout(request)
        security_event(user=user, actor=user, event=f"session expired ({reason})")
        messages.info(request, timeout_message(reason))
        login = reverse("wagtailadmin_login")
        return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")


def timeout_message(reason):
    if reason == "idle":
        minutes = settings.CHRONICLE_SESSION_IDLE_MINUTES
        return ngettext(
            "You were signed out after %(minutes)d minute without activity. "
            "Sign in again to carry on.",
            "You were signed out after %(minutes)d minutes without activity. "
            "Sign in again to carry on.",
            minutes,
        ) % {"minutes": minutes}
    hours = settings.CHRONICLE_SESSION_MAX_HOURS
    return ngettext(
        "You were signed out because you signed in %(hours)d hour ago. "
        "Sign in again to carry on.",
        "You were signed out because you signed in %(hours)d hours ago. "
        "Sign in again to carry on.",
        hours,
    ) % {"hours": hours}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with one exception to the strict policy in settings.

    Five of Wagtail's own templates run inline scripts (InlinePanel and
    MultipleChooserPanel, the date/time/datetime choosers), rendered where no nonce
    can reach them (form widgets get no request). They appear only in Wagtail's
    editing areas (the page tree, where configurators build concern forms;
    snippets; users; Wagtail's own reports and filters), so only there does
    script-src also allow 'unsafe-inline' (CHRONICLE_CSP_INLINE_SCRIPT_PREFIXES).
    Every page holding case content (files, casework, concern forms, reports,
    audit log) keeps script-src 'self' with no inline script."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        prefixes = settings.CHRONICLE_CSP_INLINE_SCRIPT_PREFIXES
        if request.path.startswith(tuple(prefixes)):
            parts.update = {**(parts.update or {}), "script-src": ["'unsafe-inline'"]}
        return parts
