"""Concerns about adults, reads: the case and its steps for the task page, the
concerns that make a pattern, the cases a case manager may open, the records due
for their retention review, and what a child's file may say of them."""

import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from accounts.selectors import CASE_ROLES, schools_where
from records.models import AdultConcernKind, Concern, ConcernAboutAdult, Pupil
from records.selectors import concerns_visible_to

from ..models import CaseTask
from .models import OUTCOME_HELP, AdultCase, AdultPatternReview, Outcome

AnyUser = User | AnonymousUser


def adult_key(about: ConcernAboutAdult) -> str:
    """One adult at one school: their account, or their name as typed."""
    if about.person_id:
        return f"user:{about.person_id}"
    return "name:" + " ".join(about.name.lower().split())


def concerns_about_same_adult(
    *, about: ConcernAboutAdult, until: datetime.datetime, within_days: int
) -> QuerySet[Concern]:
    """Low-level concerns at the school about the same adult (the same account,
    or the same name however it was typed) in the window up to `until`."""
    same = Q(about_adult__name__iexact=" ".join(about.name.split()))
    if about.person_id:
        same |= Q(about_adult__person_id=about.person_id)
    return Concern.objects.filter(
        same,
        school=about.concern.school_id,
        about_adult__kind=AdultConcernKind.LOW_LEVEL,
        submitted_at__gt=until - datetime.timedelta(days=within_days),
        submitted_at__lte=until,
    ).distinct()


def _not_named(user: AnyUser) -> Q:
    return ~Q(concern__about_adult__person_id=user.pk)


def cases_visible_to(user: AnyUser) -> QuerySet[AdultCase]:
    """The cases the user manages: concerns about adults they may read at schools
    where they are the case manager, never one that names them."""
    if not user.is_authenticated:
        return AdultCase.objects.none()
    return (
        AdultCase.objects.filter(
            concern__in=concerns_visible_to(user),
            concern__school__in=schools_where(user, Role.HEAD),
        )
        .filter(_not_named(user))
        .select_related("concern__school", "concern__about_adult")
    )


def case_of(task: CaseTask) -> AdultCase:
    return AdultCase.objects.select_related("concern__about_adult", "outcome_by").get(
        concern_id=task.concern_id
    )


def case_record(case: AdultCase) -> dict[str, Any]:
    """The case so far, step by step, for its page and each task page."""
    return {
        "case": case,
        "about": case.concern.about_adult,
        "lado_referral": getattr(case, "lado_referral", None),
        "lado_advice": getattr(case, "lado_advice", None),
        "strategy_discussion": getattr(case, "strategy_discussion", None),
        "employer_action": getattr(case, "employer_action", None),
        "low_level_review": getattr(case, "low_level_review", None),
        "outcome_help": [(o.label, OUTCOME_HELP[o]) for o in Outcome],
    }


def case_context(task: CaseTask, user: AnyUser) -> dict[str, Any]:
    """What each step of the case shows: the record so far."""
    return case_record(case_of(task))


def pattern_context(task: CaseTask, user: AnyUser) -> dict[str, Any]:
    """The pattern review step: the linked concerns the reviewer may read."""
    review = AdultPatternReview.objects.get(process_id=task.process_id)
    return {
        "review": review,
        "pattern_concerns": concerns_visible_to(user)
        .filter(pk__in=review.concerns.all())
        .select_related("about_adult")
        .order_by("submitted_at", "pk"),
        "earlier_reviews": AdultPatternReview.objects.filter(
            school=review.school_id,
            adult_key=review.adult_key,
            reviewed_at__isnull=False,
        ).select_related("reviewed_by"),
    }


def retention_due(
    user: AnyUser, *, today: datetime.date | None = None
) -> QuerySet[AdultCase]:
    """Cases whose record has reached its retention date: reviewed for deletion."""
    today = today or timezone.localdate()
    return cases_visible_to(user).filter(retain_until__lte=today)


def adult_concerns_involving(pupil: Pupil, user: AnyUser) -> int:
    """How many concerns about adults involve this child, for the child's file:
    only the number, to the school's DSLs and case manager, never to an adult
    one of them names (for them, those concerns do not exist)."""
    if not user.is_authenticated:
        return 0
    allowed = schools_where(user, Role.HEAD, *CASE_ROLES).filter(pk=pupil.school_id)
    if not allowed.exists():
        return 0
    return (
        Concern.objects.filter(involvements__pupil=pupil, about_adult__isnull=False)
        .exclude(about_adult__person_id=user.pk)
        .distinct()
        .count()
    )


def may_open_cases(user: AnyUser, pupil: Pupil) -> bool:
    return user.is_authenticated and (
        schools_where(user, Role.HEAD).filter(pk=pupil.school_id).exists()
    )
