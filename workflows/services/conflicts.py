"""What a write raises when someone else got there first, and how it finds out who."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from auditlog import get_logentry_model
from auditlog.models import AbstractLogEntry
from django.core.exceptions import ValidationError
from django.db.models import Model

from accounts.models import User


class TaskConflict(ValidationError):
    """Someone else claimed, released or completed the task first."""


class EditConflict(Exception):
    """Nothing was saved: what the editor's page was loaded from is no longer what
    is stored (a colleague saved in between), or the page didn't say, or said
    something Chronicle never issued (`missing`).

    Carries what is stored now and its version, for the page to show and carry on
    (saving again is then a deliberate choice to replace it), and who last changed
    it and when, None where the audit log doesn't say."""

    def __init__(
        self,
        *,
        stored: Any,
        version: str,
        who: User | None = None,
        when: datetime | None = None,
        missing: bool = False,
    ) -> None:
        super().__init__(f"{stored!r} changed since it was loaded.")
        self.stored = stored
        self.version = version
        self.who = who
        self.when = when
        self.missing = missing


def last_change(obj: Model, fields: Iterable[str] = ()) -> AbstractLogEntry | None:
    """The audit entry of the latest creation or update of obj (of those touching
    one of `fields`, if given), or None if the log has none."""
    entry = get_logentry_model()
    entries = entry.objects.get_for_object(obj).filter(
        action__in=[entry.Action.CREATE, entry.Action.UPDATE]
    )
    if fields:
        entries = entries.filter(changes__has_any_keys=list(fields))
    return entries.select_related("actor").order_by("-timestamp", "-pk").first()
