"""File audits, writes: draw a sample or open an audit of one file, save the
checklist and the finding, give people actions and mark them done. Keyword-only,
validated, atomic; each checks that the user audits at the file's school
(selectors.audit_schools).
"""

import datetime
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import School, User
from accounts.selectors import schools_where

from ..models import (
    FILE_AUDIT_CHECKLIST,
    FileAudit,
    FileAuditAction,
    FileAuditSample,
    Pupil,
)
from ..selectors import hidden_pupil_ids
from ..validators import validate_rationale
from .selectors import (
    audit_actions_managed_by,
    audit_actions_of,
    audit_schools,
    files_with_concerns,
    pupils_auditable_by,
)

MAX_SAMPLE = 50


def _check_auditor(user: User, school: School) -> None:
    if not audit_schools(user).filter(pk=school.pk).exists():
        raise PermissionDenied


@transaction.atomic
def file_audit_sample_draw(*, school: School, user: User, size: int) -> FileAuditSample:
    """Draw up to `size` files at random from those with at least one concern and
    not already under audit, and open an audit of each for the user."""
    _check_auditor(user, school)
    if not 1 <= size <= MAX_SAMPLE:
        raise ValidationError(
            {"size": _("Choose between 1 and %(max)d files.") % {"max": MAX_SAMPLE}}
        )
    open_audit = FileAudit.objects.filter(
        pupil=OuterRef("pk"), completed_at__isnull=True
    )
    candidates = list(
        files_with_concerns(school)
        .exclude(Exists(open_audit))
        .exclude(pk__in=hidden_pupil_ids(user))
        .values_list("pk", flat=True)
    )
    if not candidates:
        raise ValidationError(
            _("No file with a concern is free to audit: finish the open audits first.")
        )
    chosen = secrets.SystemRandom().sample(candidates, min(size, len(candidates)))
    sample = FileAuditSample(school=school, size=size, drawn_by=user)
    sample.full_clean()
    sample.save()
    for pupil in Pupil.objects.filter(pk__in=chosen).order_by("last_name", "pk"):
        audit = FileAudit(pupil=pupil, sample=sample, auditor=user)
        audit.full_clean(validate_constraints=False)
        audit.save()
    return sample


def file_audit_start(*, pupil: Pupil, user: User) -> FileAudit:
    """Open an audit of a chosen file, or return the user's audit already open on
    it (a double click). A file has one open audit at a time."""
    _check_auditor(user, pupil.school)
    if not pupils_auditable_by(user).filter(pk=pupil.pk).exists():
        raise PermissionDenied  # a file restricted to other people
    try:
        with transaction.atomic():
            return _audit_open(pupil, user)
    except IntegrityError:  # a simultaneous start of the same file won
        return _audit_open(pupil, user)


def _audit_open(pupil: Pupil, user: User) -> FileAudit:
    existing = FileAudit.objects.filter(pupil=pupil, completed_at__isnull=True).first()
    if existing is not None:
        if existing.auditor_id != user.pk:
            raise ValidationError(
                _("%(name)s is already auditing this file.")
                % {"name": existing.auditor}
            )
        return existing
    audit = FileAudit(pupil=pupil, auditor=user)
    audit.full_clean(validate_constraints=False)
    audit.save()
    return audit


@transaction.atomic
def file_audit_save(
    *,
    audit: FileAudit,
    user: User,
    answers: dict[str, tuple[str, str]],
    finding: str,
    complete: bool = False,
) -> FileAudit:
    """Save the auditor's answers ({key: (answer, comment)}) and finding; with
    `complete`, close the audit, which then no longer changes."""
    audit = FileAudit.objects.select_for_update().get(pk=audit.pk)
    _check_auditor(user, audit.pupil.school)
    if audit.is_complete:
        raise ValidationError(_("This audit is complete and can no longer change."))
    if audit.auditor_id != user.pk:
        raise PermissionDenied
    audit.answers = [
        {"key": key, "question": str(question), **_answer(answers, key)}
        for key, question in FILE_AUDIT_CHECKLIST
    ]
    audit.finding = (finding or "").strip()
    errors: dict[str, Any] = {}
    if complete:
        audit.completed_at = timezone.now()
        errors = _finding_errors(audit.finding)
    try:
        audit.full_clean()
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    audit.save()
    return audit


def _answer(answers: dict[str, tuple[str, str]], key: str) -> dict[str, str]:
    answer, comment = answers.get(key) or ("", "")
    return {"answer": answer or "", "comment": (comment or "").strip()}


def _finding_errors(finding: str) -> dict[str, list[str]]:
    """A finding others can act on: not "ok", not "fine" (records.validators)."""
    if not finding:
        return {}
    try:
        validate_rationale(finding, min_characters=15, min_words=4)
    except ValidationError as error:
        return {"finding": error.messages}
    return {}


@transaction.atomic
def file_audit_action_add(
    *,
    audit: FileAudit,
    user: User,
    description: str,
    assigned_to: User,
    due_on: datetime.date,
) -> FileAuditAction:
    """Give someone at the school something to do by a date, from an audit."""
    school = audit.pupil.school
    _check_auditor(user, school)
    action = FileAuditAction(
        audit=audit,
        description=description,
        assigned_to=assigned_to,
        due_on=due_on,
        created_by=user,
    )
    action.full_clean()
    if not schools_where(assigned_to).filter(pk=school.pk).exists():
        raise ValidationError(
            {
                "assigned_to": _("Choose someone who works at %(school)s.")
                % {"school": school}
            }
        )
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The date is in the past.")})
    action.save()
    return action


@transaction.atomic
def file_audit_action_done(
    *, action: FileAuditAction, user: User, note: str
) -> FileAuditAction:
    """The person given the action, or an auditor of the school, marks it done."""
    action = FileAuditAction.objects.select_for_update().get(pk=action.pk)
    may = (
        audit_actions_of(user).filter(pk=action.pk).exists()
        or audit_actions_managed_by(user).filter(pk=action.pk).exists()
    )
    if not may:
        raise PermissionDenied
    if action.is_done:
        raise ValidationError(_("This action is already done."))
    if not (note or "").strip():
        raise ValidationError({"note": _("Say what was done.")})
    action.done_at = timezone.now()
    action.done_by = user
    action.done_note = note.strip()
    action.full_clean()
    action.save()
    return action
