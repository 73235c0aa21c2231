"""Password reset with a rate limit, per address and per account.

Wagtail's reset page sends an email for every request: anyone could fill a
colleague's inbox with reset links, or try thousands of addresses from one
machine. Requests are counted in the cache (shared by every app server once it is
Redis) in fixed windows: per client address and per email address typed. The email
count is kept whether or not an account has that address, and the refusal reads the
same either way, so the page never tells anyone which accounts exist.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext
from wagtail.admin.views import account

from audit.services import security_event

from .models import User

# Overridable in settings; the defaults let a person who mistypes try a few times.
PER_ACCOUNT = 3
PER_ADDRESS = 10
WINDOW_MINUTES = 60


def _limits():
    return (
        getattr(settings, "PASSWORD_RESET_LIMIT_PER_ACCOUNT", PER_ACCOUNT),
        getattr(settings, "PASSWORD_RESET_LIMIT_PER_ADDRESS", PER_ADDRESS),
        getattr(settings, "PASSWORD_RESET_WINDOW_MINUTES", WINDOW_MINUTES),
    )


def _counted(key: str, *, window_seconds: int) -> int:
    """This request's number in the key's window (the window starts at the first)."""
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this is the first again
        cache.set(key, 1, timeout=window_seconds)
        return 1


def password_reset_allowed(*, address: str, email: str) -> bool:
    """Count one reset request; False once the address or the account has had its
    share in this window. Both counts go up either way, so a flood stays refused."""
    per_account, per_address, minutes = _limits()
    window = minutes * 60
    typed = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    by_account = _counted(f"password-reset:account:{typed}", window_seconds=window)
    by_address = _counted(f"password-reset:address:{address}", window_seconds=window)
    return by_account <= per_account and by_address <= per_address


class PasswordResetView(account.PasswordResetView):
    """Wagtail's page, refusing with a message once a limit is reached."""

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        address = self.request.META.get("REMOTE_ADDR") or "unknown"
        if password_reset_allowed(address=address, email=email):
            return super().form_valid(form)
        for user in User.objects.filter(email__iexact=email, is_active=True):
            security_event(
                user=user, actor=None, event="password reset refused", address=address
            )
        minutes = _limits()[2]
        form.add_error(
            "email",  # beside the field: the page's own error box hides the heading
            ngettext(
                "Too many password reset requests. Wait %(minutes)d minute and try "
                "again, or ask a system administrator.",
                "Too many password reset requests. Wait %(minutes)d minutes and try "
                "again, or ask a system administrator.",
                minutes,
            )
            % {"minutes": minutes},
        )
        return self.form_invalid(form)
