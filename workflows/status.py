"""The manager's view of the workflow: counts, overdue work and time per step, over
a chosen period. A fixed number of queries whatever the number of concerns; medians
are taken over one column of timestamps per step (PostgreSQL and SQLite share no
median aggregate)."""

from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from records.models import Closure, Concern, Decision, Triage

from .models import CaseTask
from .selectors import OPEN

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


STEP_LABELS = {
    "triage": _("Triage"),
    "decide": _("Decision"),
    "follow_up": _("Referral follow-up"),
    "close": _("Closure"),
    "sign_off": _("Sign-off"),
    "do_action": _("Actions"),
}


def _open_tasks(schools):
    return CaseTask.objects.filter(
        school__in=schools, flow_task_type="HUMAN", status__in=OPEN
    )


def overview(*, schools, period):
    today = timezone.localdate()
    tasks = _open_tasks(schools)
    per_step = {
        getattr(row["flow_task"], "name", ""): row
        for row in tasks.values("flow_task").annotate(
            concerns=Count("concern", distinct=True),
            tasks=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
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
    in_period = Concern.objects.filter(
        school__in=schools,
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
            (_("Submitted to triage"), _median(Triage, "triaged_at", in_period)),
            (_("Submitted to decision"), _median(Decision, "decided_at", in_period)),
            (_("Submitted to closure"), _median(Closure, "closed_at", in_period)),
        ],
    }


def _median(model, field, concerns):
    """Median time from submission to the first cycle's step, as a timedelta."""
    rows = model.objects.filter(concern__in=concerns, cycle=1).values_list(
        field, "concern__submitted_at"
    )
    durations = [(done - submitted).total_seconds() for done, submitted in rows]
    if not durations:
        return None
    return timedelta(seconds=round(median(durations)))


def concerns_with_step(*, schools, period):
    """Concerns in the period with their current step and due date: one query."""
    current = (
        CaseTask.objects.filter(
            concern=OuterRef("pk"), flow_task_type="HUMAN", status__in=OPEN
        )
        .exclude(action__isnull=False)
        .order_by("created")
    )
    return (
        Concern.objects.filter(
            school__in=schools,
            submitted_at__date__gte=period.start,
            submitted_at__date__lte=period.end,
        )
        .select_related("school")
        .only("pk", "school__name", "submitted_at", "status", "immediate_risk", "route")
        .annotate(
            current_step=Subquery(current.values("flow_task")[:1]),
            current_due=Subquery(current.values("due_on")[:1]),
        )
        .order_by("-submitted_at", "-pk")
    )


def step_label(flow_task):
    return STEP_LABELS.get(getattr(flow_task, "name", ""), "")
