"""Pattern alerts, reads: the concerns that make a pattern, and what the review
step shows (only the linked concerns the reviewer may read)."""

import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from accounts.models import User
from records.models import Concern, Pupil
from records.selectors import concerns_visible_to
from taxonomy.models import Term

from ..models import CaseTask, PatternReview, PatternRule


def concerns_in_pattern(
    *, pupil: Pupil, rule: PatternRule, until: datetime.datetime
) -> QuerySet[Concern]:
    """The DSL team's concerns naming the child, submitted in the rule's window up
    to `until`, of the rule's category (as reported or as triaged; a main category
    includes its sub-categories)."""
    concerns = Concern.objects.filter(
        route=Concern.Route.DSL_TEAM,
        school=pupil.school_id,
        involvements__pupil=pupil,
        submitted_at__gt=until - datetime.timedelta(days=rule.within_days),
        submitted_at__lte=until,
    )
    if rule.category_id:
        chosen = Term.objects.filter(
            Q(pk=rule.category_id) | Q(parent=rule.category_id)
        )
        concerns = concerns.filter(
            Q(primary_category__in=chosen) | Q(triages__primary_category__in=chosen)
        )
    return concerns.distinct()


def review_of(task: CaseTask) -> PatternReview:
    """The pattern review a "Review the pattern" task is about."""
    return PatternReview.objects.select_related("pupil", "rule__category").get(
        process_id=task.process_id
    )


def review_context(task: CaseTask, user: User | AnonymousUser) -> dict[str, Any]:
    """What the review step shows: the linked concerns the user may read, and the
    earlier reviews of the same child and rule with their conclusions."""
    review = review_of(task)
    involvements = {
        involvement.concern_id: involvement
        for involvement in review.pupil.involvements.filter(
            concern__in=review.concerns.all()
        )
    }
    concerns = (
        concerns_visible_to(user)
        .filter(pk__in=review.concerns.all())
        .order_by("submitted_at", "pk")
    )
    return {
        "review": review,
        "pattern_concerns": [(c, involvements.get(c.pk)) for c in concerns],
        "earlier_reviews": PatternReview.objects.filter(
            pupil=review.pupil, rule=review.rule, reviewed_at__isnull=False
        ).select_related("reviewed_by"),
    }
