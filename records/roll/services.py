"""The pupil roll import, writes: make the preview's changes, all or nothing, and
write one audit entry for the import (each pupil and flag change is in the audit
log already). Leavers are given a leaving date, never deleted; flags in the file
are added, never removed (a flag ends on the child's file, with its date). A column
the file doesn't have leaves that detail as it is."""

import datetime
from dataclasses import asdict, dataclass

from auditlog import get_logentry_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import School, User
from audit.services import record_access

from ..models import Pupil, PupilFlag
from ..signals import pupil_joined
from .reading import RollFile
from .selectors import Preview, PreviewRow, Status, import_preview

AUDIT_EVENT = "pupil_import"


class ImportAlreadyDone(Exception):
    """This preview was imported already (a double submit): nothing more is done."""


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    left: int
    flags_added: int
    skipped: int


@transaction.atomic
def import_apply(
    *,
    school: School,
    user: User | None,
    roll: RollFile,
    token: str,
    whole_roll: bool,
    skip_errors: bool = False,
    via: dict[str, str] | None = None,
) -> ImportResult:
    """Make the preview's changes, all or nothing, and record the import.

    Matches on UPN within the school like records.services.pupil_upsert, but reads
    the roll once instead of once a row. `token` names this preview: a second submit
    of it (even at the same instant: the school row is locked) imports nothing and
    raises ImportAlreadyDone. `user` is None when a school's service token pushes
    the roll (api.roll_sync); `via` then names the token in the audit entry.
    """
    School.objects.select_for_update().filter(pk=school.pk).first()
    if _already_imported(school, token):
        raise ImportAlreadyDone
    preview = import_preview(school=school, roll=roll, whole_roll=whole_roll)
    if preview.has_errors and not skip_errors:
        raise ValidationError(_("The file has rows with errors: nothing was imported."))
    today = timezone.localdate()
    for row in preview.rows:
        _save_row(row, user=user, today=today)
    for pupil in preview.leavers:
        pupil.date_left = today
        _save_pupil(pupil)
    result = _result(preview)
    _record(
        school=school,
        roll=roll,
        token=token,
        whole_roll=whole_roll,
        result=result,
        via=via or {},
    )
    return result


def _already_imported(school: School, token: str) -> bool:
    """The import's audit entry is its receipt."""
    return (
        get_logentry_model()
        .objects.filter(
            content_type=ContentType.objects.get_for_model(School),
            object_pk=str(school.pk),
            additional_data__event=AUDIT_EVENT,
            additional_data__token=token,
        )
        .exists()
    )


def _save_row(row: PreviewRow, *, user: User | None, today: datetime.date) -> None:
    if row.pupil is None:  # a row with errors, skipped
        return
    if row.status == Status.NEW or row.changes:
        _save_pupil(row.pupil)
    if row.status == Status.NEW:
        pupil_joined.send(sender=Pupil, pupil=row.pupil, user=user)
    for term in row.new_flags:
        flag = PupilFlag(
            pupil=row.pupil,
            flag=term,
            flag_name=str(term),
            starts_on=today,
            note=_("From the MIS import"),
            recorded_by=user,
        )
        # The pupil and the term come from this import's own reads.
        flag.full_clean(exclude=["pupil", "flag", "recorded_by"])
        flag.save()


def _save_pupil(pupil: Pupil) -> None:
    # The school is this import's own; one pupil per UPN per school is settled by the
    # roll read at the start (under the school's lock) and kept by the database.
    pupil.full_clean(
        exclude=["school"], validate_unique=False, validate_constraints=False
    )
    pupil.save()


def _result(preview: Preview) -> ImportResult:
    counts = preview.counts
    return ImportResult(
        created=counts[Status.NEW],
        updated=counts[Status.UPDATED],
        unchanged=counts[Status.UNCHANGED],
        left=counts["left"],
        flags_added=counts["flags"],
        skipped=counts[Status.ERROR],
    )


def _record(
    *,
    school: School,
    roll: RollFile,
    token: str,
    whole_roll: bool,
    result: ImportResult,
    via: dict[str, str],
) -> None:
    record_access(
        obj=school,
        event=AUDIT_EVENT,
        token=token,
        file_name=roll.file_name,
        format=roll.format,
        **via,
        rows=len(roll.rows),
        whole_roll=whole_roll,
        **asdict(result),
    )
