"""Signing a user out everywhere when their credentials change: their sessions end
(at the next request: see User._get_session_auth_hash) and their API tokens are
revoked. Called by User.save (a new password) and by two-factor resets, so it sits
below both and imports neither."""

from typing import TYPE_CHECKING

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from audit.services import security_event

if TYPE_CHECKING:  # the models import this module
    from .models import User


@transaction.atomic
def user_sign_out_everywhere(
    *, user: "User", reason: str, actor: "User | None" = None
) -> None:
    """End every session of the user (at its next request: see
    User._get_session_auth_hash) and revoke their API tokens. Used when their
    two-factor is reset; a new password does the same by itself (User.save)."""
    user.credentials_reset_at = timezone.now()
    user.save(update_fields=["credentials_reset_at"])
    credentials_reset_followup(user=user, reason=reason, actor=actor)


def credentials_reset_followup(
    *, user: "User", reason: str, actor: "User | None" = None
) -> None:
    """Revoke the user's API tokens (they were made with the old credentials) and
    write the reset to the audit log. The API app is looked up by name: accounts
    sits below it and must not import it."""
    revoked = 0
    if apps.is_installed("api"):
        tokens = apps.get_model("api", "ApiToken").objects.filter(user=user).usable()
        revoked = tokens.update(revoked_at=user.credentials_reset_at or timezone.now())
    # Remembered devices skip the code: a reset (lost phone) or a new password
    # (someone knew the old one) makes every device give the code again.
    devices = (
        apps.get_model("accounts", "RememberedDevice")
        .objects.filter(user=user, revoked_at__isnull=True)
        .update(
            revoked_at=user.credentials_reset_at or timezone.now(), revoked_by=actor
        )
    )
    security_event(
        user=user,
        actor=actor,
        event="signed out everywhere",
        reason=reason,
        api_tokens_revoked=revoked,
        remembered_devices_revoked=devices,
    )
