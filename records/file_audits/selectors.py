"""File audits, reads: who may audit where, the audits and audit actions a user may
see, and the checklist's evidence for one file. Everything is filtered to the
schools where the user audits (AUDIT_ROLES) and leaves out files restricted to
other people.

Heads audit too, but a head does not read the DSL team's case notes (the file page
stays with records.selectors.pupils_visible_to). What every auditor gets is
`file_facts`: counts and references that answer the checklist's questions, the same
kind of information the workflow status page shows a head. To change who audits,
change AUDIT_ROLES.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import Role, School, User
from accounts.selectors import schools_where

from ..models import (
    Action,
    Closure,
    Concern,
    ConcernPupil,
    Decision,
    FileAudit,
    FileAuditAction,
    Pupil,
    Referral,
)
from ..selectors import hidden_pupil_ids

AUDIT_ROLES = (Role.DSL, Role.DEPUTY_DSL, Role.HEAD)

AnyUser = User | AnonymousUser


def audit_schools(user: AnyUser) -> QuerySet[School]:
    """Schools whose files the user may audit."""
    return schools_where(user, *AUDIT_ROLES)


def pupils_auditable_by(user: AnyUser) -> QuerySet[Pupil]:
    if not user.is_authenticated:
        return Pupil.objects.none()
    return Pupil.objects.filter(school__in=audit_schools(user)).exclude(
        pk__in=hidden_pupil_ids(user)
    )


def audits_visible_to(user: AnyUser) -> QuerySet[FileAudit]:
    """Audits of files at the schools where the user may audit, open or done; not
    of a file restricted to other people."""
    if not user.is_authenticated:
        return FileAudit.objects.none()
    return FileAudit.objects.filter(pupil__school__in=audit_schools(user)).exclude(
        pupil__in=hidden_pupil_ids(user)
    )


def audit_actions_of(user: AnyUser) -> QuerySet[FileAuditAction]:
    """Audit actions given to the user, while they still work at the school."""
    if not user.is_authenticated:
        return FileAuditAction.objects.none()
    return FileAuditAction.objects.filter(
        assigned_to=user, audit__pupil__school__in=schools_where(user)
    )


def audit_actions_managed_by(user: AnyUser) -> QuerySet[FileAuditAction]:
    """Audit actions the user may follow up and close as an auditor of the school."""
    return FileAuditAction.objects.filter(audit__in=audits_visible_to(user))


def _team_concerns(pupil: Pupil) -> QuerySet[Concern]:
    """The DSL team's concerns naming this child (not concerns about adults)."""
    return Concern.objects.filter(
        route=Concern.Route.DSL_TEAM,
        school=pupil.school_id,
        involvements__pupil=pupil,
    )


def files_with_concerns(school: School) -> QuerySet[Pupil]:
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


def file_facts(pupil: Pupil, *, today: datetime.date | None = None) -> FileFacts:
    """The checklist's evidence for one file, in a fixed number of queries."""
    today = today or timezone.localdate()
    concerns = list(
        _team_concerns(pupil)
        .only(
            "pk",
            "status",
            "child_voice",
            "child_voice_not_known",
            "submitted_at",
            "school_reference",
        )
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


def open_audit_actions(user: AnyUser, *, school: School) -> QuerySet[FileAuditAction]:
    """Audit actions not yet done at a school, for its auditors."""
    return (
        audit_actions_managed_by(user)
        .filter(audit__pupil__school=school, done_at__isnull=True)
        .select_related("assigned_to", "audit__pupil")
    )


def people_at(school: School) -> QuerySet[User]:
    """Who an audit action may be given to: the school's DSLs, deputies and heads.
    An action names a child's file, which tells that the child has one: it is not
    given to staff outside the safeguarding team."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__school=school,
            memberships__role__in=AUDIT_ROLES,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
