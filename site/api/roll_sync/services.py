"""Writes of roll sync: service tokens (make, revoke, check) and a push of the roll.

A service token is `chs_<prefix>_<secret>`, unlike a personal token's `chr_`: the
personal endpoints never accept one and the roll endpoint accepts nothing else."""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import School, User
from accounts.selectors import schools_where
from audit.services import record_access
from records.roll import (
    ImportResult,
    Preview,
    import_apply,
    import_preview,
    roll_file_read,
)

from ..conf import api_setting
from ..models import ServiceToken
from .selectors import MANAGERS

TOKEN_START = "chs_"  # noqa: S105 (a marker, not a secret)
PREFIX_LENGTH = 12
PREFIX_PATTERN = re.compile(rf"{TOKEN_START}([0-9a-f]{{{PREFIX_LENGTH}}})_")


class ServiceTokenRefused(Exception):
    """The presented token opens nothing; the message is safe to tell its holder."""


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _check_manager(user: User, school: School) -> None:
    if not schools_where(user, *MANAGERS).filter(pk=school.pk).exists():
        raise PermissionDenied


@transaction.atomic
def service_token_create(
    *, school: School, user: User, name: str, days: int
) -> tuple[ServiceToken, str]:
    """Make a roll token for the school (its DSL only). Returns (token, the secret
    to show once)."""
    _check_manager(user, school)
    maximum = api_setting("CHRONICLE_API_TOKEN_MAX_DAYS")
    if not 1 <= days <= maximum:
        raise ValidationError(
            {"days": _("A token lasts between 1 and %(max)d days.") % {"max": maximum}}
        )
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    raw = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ServiceToken(
        school=school,
        name=name.strip(),
        prefix=prefix,
        secret_hash=_hash(raw),
        created_by=user,
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    return token, raw


def service_token_revoke(*, token: ServiceToken, user: User) -> ServiceToken:
    _check_manager(user, token.school)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def service_token_prefix(raw: str | None) -> str | None:
    match = PREFIX_PATTERN.match(raw or "")
    return match[1] if match else None


def service_token_authenticate(*, raw: str) -> ServiceToken:
    """The usable service token `raw` names, at an active school; else
    ServiceTokenRefused."""
    prefix = service_token_prefix(raw)
    token = None
    if prefix is not None:
        token = (
            ServiceToken.objects.select_related("school").filter(prefix=prefix).first()
        )
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(raw)):
        raise ServiceTokenRefused(_("Invalid or missing service token."))
    if token.revoked_at is not None:
        raise ServiceTokenRefused(_("This service token has been revoked."))
    if token.is_expired:
        raise ServiceTokenRefused(_("This service token has expired."))
    if not token.school.is_active:
        raise ServiceTokenRefused(_("This school is not active in Chronicle."))
    _record_use(token)
    return token


def _record_use(token: ServiceToken) -> None:
    now = timezone.now()
    stale = now - timedelta(seconds=api_setting("CHRONICLE_API_LAST_USED_RESOLUTION"))
    if token.last_used_at is None or token.last_used_at < stale:
        ServiceToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def roll_push(
    *,
    token: ServiceToken,
    upload: UploadedFile,
    whole_roll: bool,
    apply: bool,
    skip_errors: bool,
) -> tuple[str, Preview, ImportResult | None]:
    """Read the pushed file and show what it would change (the dry run); with
    `apply`, import it under the same rules as the admin page: all or nothing,
    refused while rows have errors unless `skip_errors`. ValidationError when the
    file can't be used; nothing is stored then. Every push, dry or not, is in the
    audit log on the school, naming the token. Returns the file's format, the
    preview, and the import's result (None for a dry run)."""
    school = token.school
    roll = roll_file_read(school=school, upload=upload)
    preview = import_preview(school=school, roll=roll, whole_roll=whole_roll)
    via = {"via": "service_token", "service_token": token.prefix}
    if not apply:
        record_access(
            obj=school,
            event="pupil_import_dry_run",
            file_name=roll.file_name,
            format=roll.format,
            rows=len(roll.rows),
            whole_roll=whole_roll,
            **via,
        )
        return roll.format, preview, None
    result = import_apply(
        school=school,
        user=None,
        roll=roll,
        token=secrets.token_urlsafe(16),
        whole_roll=whole_roll,
        skip_errors=skip_errors,
        via=via,
    )
    return roll.format, preview, result
