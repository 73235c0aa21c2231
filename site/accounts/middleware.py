"""The two-factor gate: a signed-in user who has not passed a second factor sees
only sign-in, enrolment, verification and sign-out.

Runs after django_otp's OTPMiddleware. Anonymous users are left to each view's own
login requirement (the Wagtail admin sends them to sign in).
"""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from .two_factor import has_two_factor

OPEN_TO_UNVERIFIED = {
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "accounts:two_factor_setup",
    "accounts:two_factor_verify",
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
