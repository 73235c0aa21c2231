"""Retention, writes: placing and lifting legal holds, and destroying a file after
its review. Destruction is the only way a file is ever deleted: it is done by a
DSL, with a reason, and leaves a certificate (what, when, who, why).

The workflow rows that hang off the file (tasks, processes, notifications) are
deleted by their own app, through records.signals.file_destroying.
"""

import datetime

from auditlog.context import disable_auditlog
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.selectors import schools_where

from ..models import (
    Action,
    Addendum,
    Closure,
    Concern,
    ConcernAttachment,
    ConcernPupil,
    Decision,
    DestructionCertificate,
    FileAudit,
    FileAuditAction,
    FileNote,
    KeyPerson,
    LegalHold,
    NoteAttachment,
    PreviousSchoolEntry,
    Pupil,
    PupilFlag,
    PupilLink,
    Referral,
    SignificantMark,
    Transfer,
    TransferDocument,
    Triage,
)
from ..signals import file_destroying
from ..storage import get_private_storage
from .selectors import (
    DestructionScope,
    destruction_counts,
    destruction_problems,
    destruction_scope,
)


def _check_dsl(user: User, pupil: Pupil) -> None:
    if not schools_where(user, Role.DSL).filter(pk=pupil.school_id).exists():
        raise PermissionDenied


@transaction.atomic
def hold_place(*, pupil: Pupil, user: User, reason: str) -> LegalHold:
    _check_dsl(user, pupil)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the file must be kept.")})
    hold = LegalHold(pupil=pupil, reason=reason, placed_by=user)
    hold.full_clean()
    hold.save()
    return hold


@transaction.atomic
def hold_lift(*, hold: LegalHold, user: User, reason: str) -> LegalHold:
    _check_dsl(user, hold.pupil)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the hold is lifted.")})
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at:
        raise ValidationError(_("This hold was already lifted."))
    hold.lifted_at, hold.lifted_by, hold.lift_reason = timezone.now(), user, reason
    hold.save()
    return hold


def file_destroy(
    *,
    pupil: Pupil,
    user: User,
    reason: str,
    confirm_upn: str,
    today: datetime.date | None = None,
) -> DestructionCertificate:
    """Destroy the file after its retention review: everything recorded about the
    child here, and concerns only about them. A concern that also names other
    children stays (it is part of their files); only this child's part in it
    goes. Returns the certificate. Refused while a legal hold is in place, before
    the review date, or if the child is still on roll."""
    today = today or timezone.localdate()
    _check_dsl(user, pupil)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the file can be destroyed.")})
    if (confirm_upn or "").strip().upper() != pupil.upn:
        raise ValidationError(
            {"confirm_upn": _("Type the child's UPN to confirm which file goes.")}
        )
    with transaction.atomic():
        pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
        problems = destruction_problems(pupil, today)
        if problems:
            raise ValidationError(problems)
        scope = destruction_scope(pupil)
        certificate = DestructionCertificate(
            school=pupil.school,
            upn=pupil.upn,
            initials=f"{pupil.first_name[:1]}{pupil.last_name[:1]}",
            birth_year=pupil.date_of_birth.year,
            records=destruction_counts(pupil, scope),
            reason=reason,
            destroyed_by=user,
        )
        certificate.full_clean()
        certificate.save()
        files: list[str] = []
        # The deletions themselves are not copied into the audit log: the
        # certificate (which is) says what went.
        with disable_auditlog():
            file_destroying.send(
                sender=Pupil,
                pupil=pupil,
                concerns=scope.concerns,
                transfers=scope.transfers,
            )
            _delete(pupil, scope, files)
        transaction.on_commit(lambda: _remove_files(files))
    return certificate


def _delete(pupil: Pupil, scope: DestructionScope, files: list[str]) -> None:
    concerns = Concern.objects.filter(pk__in=scope.concerns)
    notes = FileNote.objects.filter(Q(pupil=pupil) | Q(concern__in=concerns))
    for queryset in (
        NoteAttachment.objects.filter(note__in=notes),
        ConcernAttachment.objects.filter(concern__in=concerns),
        TransferDocument.objects.filter(transfer__in=scope.transfers),
    ):
        files += [document.file.name for document in queryset]
        queryset.delete()
    Transfer.objects.filter(source__in=scope.transfers).update(source=None)
    for rows in (
        notes,
        Addendum.objects.filter(pupil=pupil),
        SignificantMark.objects.filter(pupil=pupil),
        FileAuditAction.objects.filter(audit__pupil=pupil),
        FileAudit.objects.filter(pupil=pupil),
        PreviousSchoolEntry.objects.filter(pupil=pupil),
        Transfer.objects.filter(pk__in=scope.transfers),
        Action.objects.filter(concern__in=concerns),
        Closure.objects.filter(concern__in=concerns),
        Referral.objects.filter(concern__in=concerns),
        Decision.objects.filter(concern__in=concerns),
        Triage.objects.filter(concern__in=concerns),
        ConcernPupil.objects.filter(pupil=pupil),
        concerns,
        PupilFlag.objects.filter(pupil=pupil),
        KeyPerson.objects.filter(pupil=pupil),
        PupilLink.objects.filter(Q(from_pupil=pupil) | Q(to_pupil=pupil)),
        LegalHold.objects.filter(pupil=pupil),
    ):
        rows.delete()
    pupil.delete()


def _remove_files(names: list[str]) -> None:
    for name in names:
        if name:
            get_private_storage().delete(name)
