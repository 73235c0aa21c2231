"""Retention: a child protection file is kept until the child's 25th birthday, then
reviewed. A legal hold (an inquiry, litigation, a police investigation) blocks its
destruction. Destruction is the only way a file is ever deleted: it is done by a
DSL, with a reason, and leaves a certificate (what, when, who, why).

The workflow rows that hang off the file (tasks, processes, notifications) are
deleted by their own app, through records.signals.file_destroying.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from auditlog.context import disable_auditlog
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.selectors import schools_where

from .models import (
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
from .selectors import pupils_workable_by
from .signals import file_destroying

RETENTION_YEARS = 25
# Files reaching their review within this many days are listed, so the DSL can
# plan the review (and place holds) before the date.
REVIEW_WINDOW_DAYS = 90


def review_date(pupil):
    """The child's 25th birthday (29 February falls back to 28 February)."""
    born = pupil.date_of_birth
    try:
        return born.replace(year=born.year + RETENTION_YEARS)
    except ValueError:
        return date(born.year + RETENTION_YEARS, 2, 28)


def _born_on_or_before(today):
    try:
        return today.replace(year=today.year - RETENTION_YEARS)
    except ValueError:
        return date(today.year - RETENTION_YEARS, 2, 28)


def active_holds(pupil):
    return pupil.holds.filter(lifted_at__isnull=True)


# Reads --------------------------------------------------------------------------------


def retention_queue(user, *, today=None):
    """Files of children who have left the user's schools (as DSL) whose review
    date has come or comes within the window, with whether a hold is in place.
    One query, whatever the size of the roll."""
    today = today or timezone.localdate()
    horizon = _born_on_or_before(today + timedelta(days=REVIEW_WINDOW_DAYS))
    return (
        pupils_workable_by(user)
        .filter(
            school__in=schools_where(user, Role.DSL),
            date_left__isnull=False,
            date_of_birth__lte=horizon,
        )
        .annotate(
            on_hold=Exists(
                LegalHold.objects.filter(pupil=OuterRef("pk"), lifted_at__isnull=True)
            ),
        )
        .select_related("school")
        .order_by("date_of_birth", "last_name", "pk")
    )


def certificates_visible_to(user):
    return DestructionCertificate.objects.filter(
        school__in=schools_where(user, Role.DSL)
    ).select_related("destroyed_by", "school")


def destruction_preview(pupil, *, today=None):
    """What the review page shows: why the file may not go yet, and what would."""
    today = today or timezone.localdate()
    return {
        "problems": _why_not(pupil, today),
        "counts": _counts(pupil, _doomed(pupil)),
    }


# Writes -------------------------------------------------------------------------------


def _check_dsl(user, pupil):
    if not schools_where(user, Role.DSL).filter(pk=pupil.school_id).exists():
        raise PermissionDenied


@transaction.atomic
def hold_place(*, pupil, user, reason):
    _check_dsl(user, pupil)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the file must be kept.")})
    hold = LegalHold(pupil=pupil, reason=reason, placed_by=user)
    hold.full_clean()
    hold.save()
    return hold


@transaction.atomic
def hold_lift(*, hold, user, reason):
    _check_dsl(user, hold.pupil)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the hold is lifted.")})
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at:
        raise ValidationError(_("This hold was already lifted."))
    hold.lifted_at, hold.lifted_by, hold.lift_reason = timezone.now(), user, reason
    hold.save()
    return hold


@dataclass
class _Doomed:
    concerns: list
    transfers: list


def file_destroy(*, pupil, user, reason, confirm_upn, today=None):
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
        problems = _why_not(pupil, today)
        if problems:
            raise ValidationError(problems)
        doomed = _doomed(pupil)
        certificate = DestructionCertificate(
            school=pupil.school,
            upn=pupil.upn,
            initials=f"{pupil.first_name[:1]}{pupil.last_name[:1]}",
            birth_year=pupil.date_of_birth.year,
            records=_counts(pupil, doomed),
            reason=reason,
            destroyed_by=user,
        )
        certificate.full_clean()
        certificate.save()
        files = []
        # The deletions themselves are not copied into the audit log: the
        # certificate (which is) says what went.
        with disable_auditlog():
            file_destroying.send(
                sender=Pupil,
                pupil=pupil,
                concerns=doomed.concerns,
                transfers=doomed.transfers,
            )
            _delete(pupil, doomed, files)
        transaction.on_commit(lambda: _remove_files(files))
    return certificate


def _why_not(pupil, today):
    problems = []
    if pupil.date_left is None:
        problems.append(_("The child is still on roll: their file is in use."))
    if review_date(pupil) > today:
        problems.append(
            _("The file is kept until %(date)s (the child's 25th birthday).")
            % {"date": review_date(pupil).strftime("%d %b %Y")}
        )
    if active_holds(pupil).exists():
        problems.append(
            _(
                "A legal hold is in place: lift it first, with its reason, if it no "
                "longer applies."
            )
        )
    return problems


def _doomed(pupil):
    involved = Concern.objects.filter(involvements__pupil=pupil)
    shared = ConcernPupil.objects.filter(concern=OuterRef("pk")).exclude(pupil=pupil)
    concerns = list(
        involved.annotate(shared=Exists(shared))
        .filter(shared=False)
        .values_list("pk", flat=True)
    )
    transfers = list(pupil.transfers.values_list("pk", flat=True))
    return _Doomed(concerns=concerns, transfers=transfers)


def _counts(pupil, doomed):
    return {
        "concerns": len(doomed.concerns),
        "concerns_kept_for_other_children": ConcernPupil.objects.filter(pupil=pupil)
        .exclude(concern__in=doomed.concerns)
        .count(),
        "notes": FileNote.objects.filter(
            Q(pupil=pupil) | Q(concern__in=doomed.concerns)
        ).count(),
        "transfers": len(doomed.transfers),
        "entries_from_previous_schools": pupil.previous_entries.count(),
    }


def _delete(pupil, doomed, files):
    concerns = Concern.objects.filter(pk__in=doomed.concerns)
    notes = FileNote.objects.filter(Q(pupil=pupil) | Q(concern__in=concerns))
    for queryset in (
        NoteAttachment.objects.filter(note__in=notes),
        ConcernAttachment.objects.filter(concern__in=concerns),
        TransferDocument.objects.filter(transfer__in=doomed.transfers),
    ):
        files += [document.file.name for document in queryset]
        queryset.delete()
    Transfer.objects.filter(source__in=doomed.transfers).update(source=None)
    for queryset in (
        notes,
        Addendum.objects.filter(pupil=pupil),
        SignificantMark.objects.filter(pupil=pupil),
        FileAuditAction.objects.filter(audit__pupil=pupil),
        FileAudit.objects.filter(pupil=pupil),
        PreviousSchoolEntry.objects.filter(pupil=pupil),
        Transfer.objects.filter(pk__in=doomed.transfers),
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
        queryset.delete()
    pupil.delete()


def _remove_files(names):
    from .storage import private_storage

    for name in names:
        if name:
            private_storage.delete(name)
