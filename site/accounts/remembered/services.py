"""Writes for remembered devices: remember, use, revoke. Each is in the audit log
(security_event on the user's account) with who did it."""

import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audit.services import security_event

from ..models import RememberedDevice, User
from .selectors import (
    policy_days,
    remembered_device_for_token,
    remembered_device_owner,
    token_hash,
)

# The cookie holding the token (Secure, HttpOnly, SameSite=Strict; set by
# accounts.views after the code).
COOKIE_NAME = "chronicle_device"

BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"))
SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Macintosh", "Mac"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str) -> str:
    """ "Chrome on Android": enough for the owner to tell their devices apart."""
    browser = next((name for key, name in BROWSERS if key in user_agent), None)
    if browser is None and re.search(r"Version/.*Safari/", user_agent):
        browser = "Safari"
    system = next((name for key, name in SYSTEMS if key in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "A browser"


@transaction.atomic
def remembered_device_add(
    *, user: User, user_agent: str
) -> tuple[RememberedDevice, str]:
    """Remember this browser for the policy's days; returns the row and the token
    for the cookie (shown to nobody, stored only as a hash)."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    device = RememberedDevice(
        user=user,
        token_hash=token_hash(token),
        label=device_label(user_agent or "")[:100],
        created_at=now,
        expires_at=now + timedelta(days=policy_days()),
    )
    device.full_clean()
    device.save()
    security_event(
        user=user,
        actor=user,
        event="device remembered",
        device=device.label,
        remembered_device=device.pk,
        expires_at=device.expires_at.isoformat(),
    )
    return device, token


@transaction.atomic
def remembered_device_use(*, user: User, token: str) -> RememberedDevice | None:
    """The code is skipped if the cookie names a working device of this user;
    recorded either way when a cookie was offered."""
    device = remembered_device_for_token(user=user, token=token)
    if device is not None:
        device.last_used_at = timezone.now()
        device.save(update_fields=["last_used_at"])
        security_event(
            user=user,
            actor=user,
            event="remembered device used",
            device=device.label,
            remembered_device=device.pk,
        )
        return device
    if token:
        named = remembered_device_owner(token)
        security_event(
            user=user,
            actor=user,
            event="remembered device refused",
            reason=_refusal(named, user),
        )
    return None


def _refusal(named: RememberedDevice | None, user: User) -> str:
    if named is None:
        return "unknown"
    if named.user_id != user.pk:
        return "another user's device"
    if named.revoked_at is not None:
        return "revoked"
    return "expired or not allowed by policy"


@transaction.atomic
def remembered_device_revoke(
    *, device: RememberedDevice, actor: User, reason: str = "revoked"
) -> None:
    if device.revoked_at is not None:
        return
    device.revoked_at = timezone.now()
    device.revoked_by = actor
    device.save(update_fields=["revoked_at", "revoked_by"])
    security_event(
        user=device.user,
        actor=actor,
        event="remembered device revoked",
        device=device.label,
        remembered_device=device.pk,
        reason=reason,
    )


@transaction.atomic
def remembered_devices_revoke_all(
    *, user: User, actor: User | None, reason: str
) -> int:
    """Forget every device of the user (a lost phone, a reset, a new password)."""
    devices = list(
        RememberedDevice.objects.filter(
            user=user, revoked_at__isnull=True
        ).select_for_update()
    )
    for device in devices:
        device.revoked_at = timezone.now()
        device.revoked_by = actor
        device.save(update_fields=["revoked_at", "revoked_by"])
    if devices:
        security_event(
            user=user,
            actor=actor,
            event="remembered devices revoked",
            count=len(devices),
            reason=reason,
        )
    return len(devices)
