"""Pattern alerts, writes: when a concern is submitted, after its own process has
started and in the same transaction, each child named in it is checked against
each active rule; crossing one raises a "Review the pattern" task for the DSL team
with the concerns that make the pattern (PatternReview), unless a review of that
child and rule is still open."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from records.models import Concern, Pupil
from records.selectors import people_who_may_see

from ..models import CaseTask, Notification, PatternReview, PatternRule, Team
from ..selectors import team_members
from ..services import notify
from .flows import PatternFlow
from .selectors import concerns_in_pattern


def pattern_alerts_raise(*, concern: Concern) -> list[PatternReview]:
    """Check each child named in a just-submitted concern against the school's
    active rules; raise a review for each crossed rule. Runs inside the submission's
    transaction: if it fails, nothing of the submission is saved."""
    if concern.route != Concern.Route.DSL_TEAM:
        return []
    rules = list(
        PatternRule.objects.filter(school=concern.school_id, is_active=True)
        .select_related("category")
        .order_by("pk")
    )
    if not rules:
        return []
    raised: list[PatternReview] = []
    for involvement in concern.involvements.select_related("pupil"):
        for rule in rules:
            review = _raise_if_crossed(concern, involvement.pupil, rule)
            if review is not None:
                raised.append(review)
    return raised


def _raise_if_crossed(
    concern: Concern, pupil: Pupil, rule: PatternRule
) -> PatternReview | None:
    linked = list(
        concerns_in_pattern(pupil=pupil, rule=rule, until=concern.submitted_at)
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)
    )
    # The new concern must be part of the pattern: a concern of another category
    # does not make a bullying pattern grow.
    if concern.pk not in linked or len(linked) < rule.min_concerns:
        return None
    open_review = PatternReview.objects.filter(
        pupil=pupil, rule=rule, reviewed_at__isnull=True
    ).first()
    if open_review is not None:
        # The pattern grows while it waits for review: the reviewer sees it all.
        open_review.concerns.add(concern)
        return None
    review = PatternReview(pupil=pupil, rule=rule)
    review.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:  # a simultaneous submission raised it first
        return None
    review.concerns.set(linked)
    review.process = PatternFlow.start.run(review=review, concern=concern)
    review.save(update_fields=["process"])
    _notify_team(review, concern, len(linked))
    return review


def _notify_team(review: PatternReview, concern: Concern, count: int) -> None:
    task = CaseTask.objects.get(
        process=review.process, flow_task=PatternFlow.instance.review_pattern
    )
    notify(
        users=people_who_may_see(
            team_members(school=task.school, team=Team.DSL), pupil=review.pupil
        ),
        # The admin's notification kinds predate patterns: it is new work for the
        # team, like a new concern, and the message says what it is.
        kind=Notification.Kind.NEW_CONCERN,
        message=_(
            "Pattern at %(school)s: %(count)d concerns about one child in %(days)d "
            "days (latest %(ref)s). Review the pattern."
        )
        % {
            "school": task.school,
            "count": count,
            "days": review.rule.within_days,
            "ref": concern.reference,
        },
        task=task,
    )
