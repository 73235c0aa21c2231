"""The manager's view of the workflow: counts, overdue work and time per step, over
a chosen period. A fixed number of queries whatever the number of concerns; medians
are worked out in the database on PostgreSQL (percentile_cont), and over one column
of timestamps per step in Python on SQLite, which has no median aggregate."""

from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from records.models import Closure, Concern, Decision, Triage
from records.selectors import concerns_kept_from

from .flows import ConcernFlow
from .models import CaseTask
from .selectors import OPEN, overdue_filter, oversight_filter
from .steps import CONCERN_STEPS

DEFAULT_DAYS = 90


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @classmethod
    def from_query(cls, query):
        today = timezone.localdate()
        end = parse_date(query.get("to", "") or "") if _valid(query.get("to")) else None
        start = (
            parse_date(query.get("from", "") or "")
            if _valid(query.get("from"))
            else None
        )
        end = min(end or today, today)
        start = start or end - timedelta(days=DEFAULT_DAYS)
        if start > end:
            start, end = end, start
        return cls(start=start, end=end)


def _valid(value):
    try:
        return bool(value) and parse_date(value) is not None
    except ValueError:
        return False


# What each step is called, from its declaration (workflows.steps).
STEP_LABELS = {step.name: step.label for step in CONCERN_STEPS}


def open_tasks(user):
    """Open human tasks of the concerns whose status the user may see."""
    return CaseTask.objects.filter(
        oversight_filter(user, "concern__"), flow_task_type="HUMAN", status__in=OPEN
    )


def concerns_overseen(user):
    return Concern.objects.filter(oversight_filter(user))


def overview(*, user, period):
    tasks = open_tasks(user)
    per_step = {
        getattr(row["flow_task"], "name", ""): row
        for row in tasks.values("flow_task").annotate(
            concerns=Count("concern", distinct=True),
            tasks=Count("pk"),
            overdue=Count("pk", filter=overdue_filter(tasks)),
        )
    }
    steps = [
        {
            "label": label,
            "concerns": per_step.get(name, {}).get("concerns", 0),
            "tasks": per_step.get(name, {}).get("tasks", 0),
            "overdue": per_step.get(name, {}).get("overdue", 0),
        }
        for name, label in STEP_LABELS.items()
    ]
    in_period = concerns_overseen(user).filter(
        submitted_at__date__gte=period.start,
        submitted_at__date__lte=period.end,
    )
    totals = in_period.aggregate(
        submitted=Count("pk"),
        closed=Count("pk", filter=Q(status=Concern.Status.CLOSED)),
        urgent=Count("pk", filter=Q(immediate_risk=True)),
    )
    return {
        "steps": steps,
        "overdue_total": sum(step["overdue"] for step in steps),
        "totals": totals,
        "medians": [
            (_("Sent to triage"), *_median(Triage.objects, "triaged_at", in_period)),
            (
                _("Sent to decision"),
                *_median(Decision.objects, "decided_at", in_period),
            ),
            (
                _("Sent to closure"),
                *_median(
                    # A closure waiting for its sign-off is not closed yet.
                    Closure.objects.filter(
                        Q(needs_sign_off=False) | Q(signed_off_at__isnull=False)
                    ),
                    "closed_at",
                    in_period,
                ),
            ),
        ],
    }


class Median(Aggregate):
    """PostgreSQL's median: the 50th percentile, interpolated between the two middle
    values of an even count as statistics.median does."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _median(rows, field, concerns):
    """(median time from submission to the first cycle's step, how many concerns
    reached it): concerns still waiting are not in the median, and the page says
    how many it is taken over."""
    reached = rows.filter(concern__in=concerns, cycle=1)
    if connection.vendor == "postgresql":
        waited = ExpressionWrapper(
            F(field) - F("concern__submitted_at"), output_field=DurationField()
        )
        found = reached.aggregate(middle=Median(waited), count=Count("pk"))
        if not found["count"]:
            return None, 0
        seconds = round(found["middle"].total_seconds())
        return timedelta(seconds=seconds), found["count"]
    pairs = reached.values_list(field, "concern__submitted_at")
    durations = [(done - submitted).total_seconds() for done, submitted in pairs]
    if not durations:
        return None, 0
    return timedelta(seconds=round(median(durations))), len(durations)


def concerns_with_step(*, user, period):
    """Concerns in the period with their current step and due date: one query."""
    current = CaseTask.objects.filter(
        concern=OuterRef("pk"),
        flow_task_type="HUMAN",
        status__in=OPEN,
        process__flow_class=ConcernFlow,  # not actions or pattern reviews
    ).order_by("created")
    return (
        concerns_overseen(user)
        # A restricted concern is counted in the figures, not listed (one about
        # an adult stays listed for its case manager).
        .exclude(pk__in=concerns_kept_from(user))
        .filter(
            submitted_at__date__gte=period.start,
            submitted_at__date__lte=period.end,
        )
        .select_related("school")
        .only(
            "pk",
            "school__name",
            "submitted_at",
            "status",
            "immediate_risk",
            "route",
            "school_reference",
        )
        .annotate(
            current_step=Subquery(current.values("flow_task")[:1]),
            current_due=Subquery(current.values("due_on")[:1]),
            # what the due tag needs to say "Overdue" as the clock sweep would
            current_urgent=Subquery(current.values("urgent")[:1]),
            current_created=Subquery(current.values("created")[:1]),
            current_referral=Subquery(current.values("referral_id")[:1]),
        )
        .order_by("-submitted_at", "-pk")
    )


def step_label(flow_task):
    return STEP_LABELS.get(getattr(flow_task, "name", ""), "")
