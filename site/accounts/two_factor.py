"""Two-factor authentication on django-otp: TOTP apps plus single-use backup codes.

A user with no confirmed device must enrol before anything else; a user with one must
verify on every login. Codes are checked by django-otp, which refuses a reused TOTP code
and throttles repeated failures (OTP_*_THROTTLE_FACTOR).
"""

import base64
import logging
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import security_event

from .credentials import user_sign_out_everywhere

logger = logging.getLogger(__name__)

TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str = ""


def has_two_factor(user):
    return any(True for _device in devices_for_user(user, confirmed=True))


def totp_secret(device):
    """The base32 secret an authenticator app asks for when typed in by hand."""
    return base64.b32encode(device.bin_key).decode("ascii")


def totp_qr_svg(device):
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2)


def totp_device_for_enrolment(user, *, pending_id=None):
    """The unconfirmed TOTP device of this enrolment (one browser session), made on
    first use, so reloading the page shows the same secret.

    Each session gets its own secret: someone else who knows the password and opens
    the page never sees the secret the real user goes on to confirm.
    """
    device = TOTPDevice.objects.filter(
        user=user, confirmed=False, pk=pending_id
    ).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=TOTP_DEVICE_NAME, confirmed=False
        )
    return device


def _normalise(code):
    return "".join((code or "").split()).lower()


def _locked_message(device):
    allowed, data = device.verify_is_allowed()
    if allowed:
        return ""
    until = (data or {}).get("locked_until")
    if until:
        seconds = max(1, int((until - timezone.now()).total_seconds()) + 1)
        return ngettext(
            "You can try again in %(seconds)d second.",
            "You can try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
    return _("Wait a moment, then try again.")


def check_code(*, device, code):
    """Check a TOTP or backup code against a device, with a message a person reads."""
    locked = _locked_message(device)
    if locked:
        return CheckResult(False, locked)
    if device.verify_token(_normalise(code)):
        security_event(
            user=device.user, event="two-factor code accepted", device=device.name
        )
        return CheckResult(True)
    logger.warning("Two-factor code refused for user id %s", device.user_id)
    security_event(
        user=device.user, event="two-factor code refused", device=device.name
    )
    locked = _locked_message(device)
    if isinstance(device, StaticDevice):
        wrong = _(
            "That backup code is not valid. Each backup code works once only; "
            "check you typed it correctly."
        )
    else:
        wrong = _(
            "That code is not valid. Codes change every 30 seconds and each works "
            "once only: wait for a new code in your app and try again."
        )
    return CheckResult(False, f"{wrong} {locked}".strip())


@transaction.atomic
def backup_codes_regenerate(*, user):
    """Replace the user's backup codes with a new set and return them (shown once)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = []
    for _i in range(settings.CHRONICLE_BACKUP_CODE_COUNT):
        token = StaticToken.random_token()
        device.token_set.create(token=token)
        codes.append(token)
    security_event(user=user, event="backup codes replaced")
    return codes


@transaction.atomic
def totp_enrol(*, device, code):
    """Confirm a new TOTP device with its first code; returns (result, backup codes).

    Every other pending enrolment of the user is dropped."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    result = check_code(device=device, code=code)
    if not result.ok:
        return result, []
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return result, backup_codes_regenerate(user=device.user)


@transaction.atomic
def verify(*, user, persistent_id, code):
    """Check a code against one of the user's devices, locked for the check so that
    parallel guesses each count against the throttle and a code works only once.
    Returns (result, device)."""
    device = next(
        (d for d in verification_choices(user) if d.persistent_id == persistent_id),
        None,
    )
    if device is None:
        return CheckResult(False, _("Choose how to verify.")), None
    device = type(device).objects.select_for_update().get(pk=device.pk)
    return check_code(device=device, code=code), device


@transaction.atomic
def two_factor_reset(*, user, actor=None, reason="two-factor reset"):
    """Remove every device: the user enrols again at their next login. Whoever
    holds a session or an API token of theirs is signed out: a reset usually
    means a lost or stolen phone."""
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    user_sign_out_everywhere(user=user, reason=reason, actor=actor)


def unused_backup_code_count(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verification_choices(user):
    """The devices a user can verify with, app first."""
    devices = list(devices_for_user(user, confirmed=True))
    return sorted(devices, key=lambda d: isinstance(d, StaticDevice))
