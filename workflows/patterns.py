"""Pattern alerts: the link between past and current concerns.

A DSL sets her school's thresholds (PatternRule: N concerns about the same child
within M days, optionally of one main category). When a concern is submitted, after
its own process has started and in the same transaction, each child named in it is
checked against each active rule; crossing one raises a "Review the pattern" task
for the DSL team with the concerns that make the pattern (PatternReview), unless a
review of that child and rule is still open.

Only the DSL team's concerns count (route dsl_team): a concern about an adult goes
to the head and never shows in a pattern the DSLs see. Children are counted whatever
their role in a concern: a child named again and again as witness or as the one
causing harm is a pattern too.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow import this
from viewflow.workflow import flow, lock

from records.models import Concern
from taxonomy.models import Term

from .models import (
    CaseProcess,
    CaseTask,
    Notification,
    PatternReview,
    PatternRule,
    Team,
)
from .nodes import TeamTask

REVIEW_SCHOOL_DAYS = 2


class PatternFlow(flow.Flow):
    """One pattern to review: the DSL team reads the linked concerns and concludes."""

    process_class = CaseProcess
    task_class = CaseTask
    lock_impl = lock.select_for_update_lock
    process_title = gettext_lazy("Pattern review")

    start = flow.StartHandle(this.start_pattern).Next(this.review_pattern)
    review_pattern = (
        TeamTask()
        .Annotation(title=gettext_lazy("Review the pattern"))
        .Due(this.review_due)
        .Next(this.end)
    )
    end = flow.End()

    def start_pattern(self, activation, review, concern):
        """The process hangs off the concern that crossed the threshold, so the task
        shows in that concern's page and on the child's front sheet."""
        process = activation.process
        process.concern = concern
        process.school_id = concern.school_id
        process.team = Team.DSL
        return process

    def review_due(self, task):
        from accounts.calendar import add_school_days

        return add_school_days(
            task.school, timezone.localdate(task.created), REVIEW_SCHOOL_DAYS
        )


# Reads --------------------------------------------------------------------------------


def concerns_in_pattern(*, pupil, rule, until):
    """The DSL team's concerns naming the child, submitted in the rule's window up
    to `until`, of the rule's category (as reported or as triaged; a main category
    includes its sub-categories)."""
    concerns = Concern.objects.filter(
        route=Concern.Route.DSL_TEAM,
        school=pupil.school_id,
        involvements__pupil=pupil,
        submitted_at__gt=until - timedelta(days=rule.within_days),
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


def review_of(task):
    """The pattern review a "Review the pattern" task is about."""
    return PatternReview.objects.select_related("pupil", "rule__category").get(
        process_id=task.process_id
    )


def review_context(task, user):
    """What the review step shows: the linked concerns the user may read, and the
    earlier reviews of the same child and rule with their conclusions."""
    from records.selectors import concerns_visible_to

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


# Writes -------------------------------------------------------------------------------


def pattern_alerts_raise(*, concern):
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
    raised = []
    for involvement in concern.involvements.select_related("pupil"):
        for rule in rules:
            review = _raise_if_crossed(concern, involvement.pupil, rule)
            if review is not None:
                raised.append(review)
    return raised


def _raise_if_crossed(concern, pupil, rule):
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


def _notify_team(review, concern, count):
    from records.selectors import people_who_may_see

    from .selectors import team_members
    from .services import notify

    task = CaseTask.objects.get(process=review.process, flow_task_type="HUMAN")
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
