"""File audits: a DSL, deputy or head samples files and reviews each against a
checklist, records a finding and gives people actions. Selectors (reads, filtered to
the schools where the user may audit) first, then services (writes: keyword-only,
validated, atomic).

Heads audit too, but a head does not read the DSL team's case notes (the file page
stays with records.selectors.pupils_visible_to). What every auditor gets is
`file_facts`: counts and references that answer the checklist's questions, the same
kind of information the workflow status page shows a head. To change who audits,
change AUDIT_ROLES.
"""

import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.selectors import schools_where

from .models import (
    FILE_AUDIT_CHECKLIST,
    Action,
    Closure,
    Concern,
    ConcernPupil,
    Decision,
    FileAudit,
    FileAuditAction,
    FileAuditSample,
    Pupil,
    Referral,
)
from .selectors import hidden_pupil_ids
from .validators import validate_rationale

AUDIT_ROLES = (Role.DSL, Role.DEPUTY_DSL, Role.HEAD)
MAX_SAMPLE = 50

# Selectors ----------------------------------------------------------------------------


def audit_schools(user):
    """Schools whose files the user may audit."""
    return schools_where(user, *AUDIT_ROLES)


def pupils_auditable_by(user):
    if not user.is_authenticated:
        return Pupil.objects.none()
    return Pupil.objects.filter(school__in=audit_schools(user)).exclude(
        pk__in=hidden_pupil_ids(user)
    )


def audits_visible_to(user):
    """Audits of files at the schools where the user may audit, open or done; not
    of a file restricted to other people."""
    if not user.is_authenticated:
        return FileAudit.objects.none()
    return FileAudit.objects.filter(pupil__school__in=audit_schools(user)).exclude(
        pupil__in=hidden_pupil_ids(user)
    )


def audit_actions_of(user):
    """Audit actions given to the user, while they still work at the school."""
    if not user.is_authenticated:
        return FileAuditAction.objects.none()
    return FileAuditAction.objects.filter(
        assigned_to=user, audit__pupil__school__in=schools_where(user)
    )


def audit_actions_managed_by(user):
    """Audit actions the user may follow up and close as an auditor of the school."""
    return FileAuditAction.objects.filter(audit__in=audits_visible_to(user))


def _team_concerns(pupil):
    """The DSL team's concerns naming this child (not concerns about adults)."""
    return Concern.objects.filter(
        route=Concern.Route.DSL_TEAM,
        school=pupil.school_id,
        involvements__pupil=pupil,
    )


def files_with_concerns(school):
    """Files at the school with at least one concern for the DSL team: what a sample
    is drawn from."""
    named = ConcernPupil.objects.filter(
        pupil=OuterRef("pk"), concern__route=Concern.Route.DSL_TEAM
    )
    return Pupil.objects.filter(school=school).filter(Exists(named))


@dataclass(frozen=True)
class FileFacts:
    """What the records say about each checklist question: references, no content."""

    concerns: int
    open_concerns: list
    voice_missing: list
    decisions: int
    awaiting_outcome: list
    overdue_actions: list
    overdue_reviews: list
    last_recorded: object


def file_facts(pupil, *, today=None):
    """The checklist's evidence for one file, in a fixed number of queries."""
    today = today or timezone.localdate()
    concerns = list(
        _team_concerns(pupil)
        .only("pk", "status", "child_voice", "child_voice_not_known", "submitted_at")
        .order_by("submitted_at")
    )
    ids = [concern.pk for concern in concerns]
    refs = {concern.pk: concern.reference for concern in concerns}
    overdue_reviews = Closure.objects.filter(
        concern__in=ids, review_on__lt=today, reopened_at__isnull=True
    ).values_list("concern", flat=True)
    return FileFacts(
        concerns=len(concerns),
        open_concerns=[
            c.reference for c in concerns if c.status != Concern.Status.CLOSED
        ],
        voice_missing=[
            c.reference
            for c in concerns
            if not c.child_voice.strip() and not c.child_voice_not_known.strip()
        ],
        decisions=Decision.objects.filter(concern__in=ids).count(),
        awaiting_outcome=sorted(
            {
                refs[pk]
                for pk in Referral.objects.filter(
                    concern__in=ids, completed_at__isnull=True
                ).values_list("concern", flat=True)
            }
        ),
        overdue_actions=sorted(
            {
                refs[pk]
                for pk in Action.objects.filter(
                    concern__in=ids, completed_at__isnull=True, due_on__lt=today
                ).values_list("concern", flat=True)
            }
        ),
        overdue_reviews=sorted({refs[pk] for pk in overdue_reviews}),
        last_recorded=concerns[-1].submitted_at if concerns else None,
    )


def open_audit_actions(user, *, school):
    """Audit actions not yet done at a school, for its auditors."""
    return (
        audit_actions_managed_by(user)
        .filter(audit__pupil__school=school, done_at__isnull=True)
        .select_related("assigned_to", "audit__pupil")
    )


def people_at(school):
    """Who an audit action may be given to: the school's DSLs, deputies and heads.
    An action names a child's file, which tells that the child has one: it is not
    given to staff outside the safeguarding team."""
    from accounts.models import User

    return (
        User.objects.filter(
            is_active=True,
            memberships__school=school,
            memberships__role__in=AUDIT_ROLES,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# Services -----------------------------------------------------------------------------


def _check_auditor(user, school):
    if not audit_schools(user).filter(pk=school.pk).exists():
        raise PermissionDenied


@transaction.atomic
def file_audit_sample_draw(*, school, user, size):
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


def file_audit_start(*, pupil, user):
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


def _audit_open(pupil, user):
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
def file_audit_save(*, audit, user, answers, finding, complete=False):
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
    errors = {}
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


def _answer(answers, key):
    answer, comment = answers.get(key) or ("", "")
    return {"answer": answer or "", "comment": (comment or "").strip()}


def _finding_errors(finding):
    """A finding others can act on: not "ok", not "fine" (records.validators)."""
    if not finding:
        return {}
    try:
        validate_rationale(finding, min_characters=15, min_words=4)
    except ValidationError as error:
        return {"finding": error.messages}
    return {}


@transaction.atomic
def file_audit_action_add(*, audit, user, description, assigned_to, due_on):
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
def file_audit_action_done(*, action, user, note):
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
