"""Reads about remembered devices: whether the policy lets a user remember one, and
which of theirs still work."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from ..models import RememberedDevice, User
from ..selectors import Viewer, roles_of


def policy_days() -> int:
    return max(0, int(settings.CHRONICLE_REMEMBER_DEVICE_DAYS))


def may_remember_devices(user: Viewer) -> bool:
    """The policy lets this user skip the code on a remembered device: the feature
    is on, they are not a system administrator, and they hold no excluded role
    (checked again at every use: someone made a DSL stops skipping the code)."""
    if not user.is_authenticated or user.is_superuser or policy_days() == 0:
        return False
    excluded = set(settings.CHRONICLE_REMEMBER_DEVICE_EXCLUDED_ROLES)
    roles = roles_of(user)
    return bool(roles) and not (roles & excluded)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def remembered_devices_working(user: Viewer) -> QuerySet[RememberedDevice]:
    """The user's remembered devices that would still skip the code: not revoked,
    not past their expiry, and younger than today's policy (a shorter policy
    applies to devices remembered before it)."""
    if not user.is_authenticated:
        return RememberedDevice.objects.none()
    now = timezone.now()
    return RememberedDevice.objects.filter(
        user=user,
        revoked_at__isnull=True,
        expires_at__gt=now,
        created_at__gt=now - timedelta(days=policy_days()),
    )


def remembered_device_for_token(*, user: User, token: str) -> RememberedDevice | None:
    """The working remembered device of `user` the cookie's token names, if any.
    Another user's token names nothing here."""
    if not token or not may_remember_devices(user):
        return None
    return remembered_devices_working(user).filter(token_hash=token_hash(token)).first()


def remembered_device_owner(token: str) -> RememberedDevice | None:
    """Whatever row a token names, whoever it belongs to (for the audit of a
    refused cookie)."""
    if not token:
        return None
    return (
        RememberedDevice.objects.select_related("user")
        .filter(token_hash=token_hash(token))
        .first()
    )
