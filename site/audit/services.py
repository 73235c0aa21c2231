"""Writes to the audit log that are not model changes: security events.

django-auditlog records creates, updates and deletes by itself. Sign-ins, refused codes
and new backup codes change no audited field, so they are written here, as ACCESS
entries on the user concerned, with the event's name in additional_data.
"""

from typing import TYPE_CHECKING, Any

from auditlog import get_logentry_model
from django.db.models import Model

if TYPE_CHECKING:  # a models module: not imported while the app registry loads
    from auditlog.models import AbstractLogEntry


def security_event(
    *, user: Model, event: str, actor: Model | None = None, **details: Any
) -> "AbstractLogEntry | None":
    """Record that `event` happened to `user`'s account. The actor defaults to the
    request's signed-in user (AuditlogMiddleware); pass it when the request began
    signed out, as at sign-in."""
    entry_model = get_logentry_model()
    return entry_model.objects.log_create(
        user,
        force_log=True,
        action=entry_model.Action.ACCESS,
        actor=actor,
        additional_data={"event": event, **details},
    )


def record_access(
    *, obj: Model, event: str, **details: Any
) -> "AbstractLogEntry | None":
    """Record that the signed-in user read `obj` (a child's record, a file)."""
    entry_model = get_logentry_model()
    return entry_model.objects.log_create(
        obj,
        force_log=True,
        action=entry_model.Action.ACCESS,
        additional_data={"event": event, **details},
    )


def record_change(
    *, obj: Model, changes: dict[str, list[Any]], **details: Any
) -> "AbstractLogEntry | None":
    """Record a change made by a bulk update (which model signals do not see), such
    as a task being claimed: `changes` is {field: [before, after]}."""
    entry_model = get_logentry_model()
    return entry_model.objects.log_create(
        obj,
        force_log=True,
        action=entry_model.Action.UPDATE,
        changes=changes,
        additional_data=details or None,
    )
