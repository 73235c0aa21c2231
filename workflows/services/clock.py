"""The clock sweep: reminders, escalations, chases and reviews that fall due.

What is late is workflows.clock's rule; this module acts on it. Transfers' own
reminder wording comes from workflows.transfers, imported as a module (read at call
time) because transfers write through the step services.
"""

import logging
from collections.abc import Callable
from datetime import date, datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.calendar import add_working_days
from accounts.models import School
from records.models import Closure, Concern, Referral, imported_ids
from records.selectors import case_managers, people_who_may_see

from .. import transfers
from ..clock import for_tasks, moment
from ..models import OPEN, CaseTask, Notification
from ..teams import heads_of, task_team
from .actions import action_create
from .notifications import notify
from .processes import concern_reopen
from .referrals import referral_response_due

logger = logging.getLogger(__name__)

COUNTED = {"reminded_on": "reminded", "escalated_on": "escalated"}


def clock_sweep(
    *, today: date | None = None, now: datetime | None = None
) -> dict[str, int]:
    """Run the clocks: remind about late tasks, then escalate to the head; chase
    agencies that have not replied; reopen concerns whose review date has come.

    What is late, and when the head is told, is workflows.clock's rule (working
    days, school days, from 08:00 local; urgent tasks by the hour): the lists and
    counts use the same rule. Given only `today`, the sweep runs as at midday.

    Safe to run often and from several workers at once: each reminder, escalation
    and reopening is claimed by a conditional update before anyone is told, and one
    item failing is logged without stopping the others."""
    today, now = moment(today=today, now=now)
    counts = {"reminded": 0, "escalated": 0, "chased": 0, "reopened": 0, "failed": 0}
    open_tasks = CaseTask.objects.filter(
        flow_task_type="HUMAN", status__in=OPEN
    ).select_related("school", "concern", "transfer", "owner", "referral", "action")
    clock = for_tasks(open_tasks, today=today, now=now)
    late = open_tasks.filter(clock.overdue_q(), reminded_on__isnull=True)
    for task in late:
        if clock.is_running(task):
            _once(task, "reminded_on", today, counts, partial(_remind, task, today))
    escalate = open_tasks.filter(clock.escalation_q(), escalated_on__isnull=True)
    for task in escalate:
        if clock.is_running(task):
            _once(task, "escalated_on", today, counts, partial(_escalate, task))
    for closure in (
        Closure.objects.filter(
            review_on__lte=today,
            reopened_at__isnull=True,
            concern__status=Concern.Status.CLOSED,
        )
        # A concern a previous school sent is their history: never reopened here.
        .exclude(concern_id__in=imported_ids(Concern))
        .select_related("concern")
    ):
        _reopen_for_review(closure, counts)
    counts["left"] = transfers.leavers_mark(today=today)
    return counts


def _once(
    task: CaseTask,
    field: str,
    today: date,
    counts: dict[str, int],
    action: Callable[[], bool],
) -> None:
    """Claim this step of the clock for the task, then act, all or nothing."""
    try:
        with transaction.atomic():
            claimed = CaseTask.objects.filter(
                pk=task.pk, **{f"{field}__isnull": True}
            ).update(**{field: today})
            if not claimed:
                return
            chased = action()
    except Exception:
        logger.exception("Workflow clock: %s for task %s failed", field, task.pk)
        counts["failed"] += 1
        return
    counts[COUNTED[field]] += 1
    if chased:
        counts["chased"] += 1


def _reopen_for_review(closure: Closure, counts: dict[str, int]) -> None:
    try:
        concern_reopen(
            concern=closure.concern,
            reason=_("The review date set at closure (%(date)s) has come.")
            % {"date": _day(closure.review_on)},
        )
    except ValidationError:
        return  # reopened meanwhile by a DSL or another worker
    except Exception:
        logger.exception("Workflow clock: reopening %s failed", closure.concern_id)
        counts["failed"] += 1
        return
    counts["reopened"] += 1


def _remind(task: CaseTask, today: date) -> bool:
    """Tell whoever holds the task (or the team) it is late; for a referral, give
    them a task to make or chase it. Returns whether a chase was raised."""
    users = [task.owner] if task.owner else task_team(task)
    message = _("%(step)s for %(ref)s was due on %(due)s.")
    if task.transfer_id:  # a transfer's reminder says what to chase
        message = str(transfers.REMINDERS.get(task.step, message))
    notify(
        users=users,
        kind=Notification.Kind.REMINDER,
        message=message
        % {
            "step": task.flow_task.task_title,
            "ref": task.reference,
            "due": _day(task.due_on),
        },
        task=task,
    )
    return bool(task.referral_id) and _chase(task, today)


def _escalate(task: CaseTask) -> bool:
    heads = heads_of(task.school)
    if task.concern_id:
        # Never a head the concern names: a concern about an adult goes to its
        # case manager (records.selectors.people_who_may_see, case_managers).
        heads = people_who_may_see(heads, concern=task.concern)
        if task.concern.route == Concern.Route.HEAD:
            heads = case_managers(task.concern)
    notify(
        users=heads,
        kind=Notification.Kind.ESCALATION,
        message=_("Overdue: %(step)s for %(ref)s at %(school)s (due %(due)s).")
        % {
            "step": task.flow_task.task_title,
            "ref": task.reference,
            "school": task.school,
            "due": _day(task.due_on),
        },
        task=task,
        # Heads oversee; they do not open the DSL team's tasks.
        url=reverse("workflows:casework_status"),
    )
    return False


def _day(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else _("today")


def _chase(task: CaseTask, today: date) -> bool:
    """The agency's deadline has passed: someone must make or chase the referral."""
    referral = task.referral
    if referral.responded_on or referral.chases.filter(completed_at=None).exists():
        return False
    if referral.contacted_on:
        description = _(
            "Chase %(agency)s: no response to the referral made on %(made)s "
            "(due %(due)s)"
        ) % {
            "agency": referral.agency_name,
            "made": _day(referral.contacted_on),
            "due": _day(referral.response_due),
        }
    else:
        description = _(
            "Make the referral to %(agency)s decided on %(decided)s: it is not "
            "recorded as made"
        ) % {
            "agency": referral.agency_name,
            "decided": _day(timezone.localdate(referral.decision.decided_at)),
        }
    action_create(
        concern=task.concern,
        description=description,
        assigned_to=task.owner or referral.decision.decided_by,
        due_on=add_working_days(task.school, today, 1),
        user=referral.decision.decided_by,
        referral=referral,
    )
    return True


def due_dates_recompute(*, school: School) -> int:
    """The school's calendar changed (an INSET day added, a term moved): open tasks
    due by school days, and referrals' working-day deadlines, are counted again."""
    changed = 0
    tasks = CaseTask.objects.filter(
        school=school, flow_task_type="HUMAN", status__in=OPEN
    ).select_related("school", "referral__agency", "referral__concern__school")
    for task in tasks:
        due: date | None
        if task.referral_id and not task.referral.completed_at:
            referral = task.referral
            start = referral.contacted_on or timezone.localdate(referral.created_at)
            due = referral_response_due(referral, start)
            if due != referral.response_due:
                Referral.objects.filter(pk=referral.pk).update(response_due=due)
        else:
            due = task.flow_task.calc_due(task) if task.flow_task else None
        if due is not None and due != task.due_on:
            CaseTask.objects.filter(pk=task.pk).update(due_on=due)
            changed += 1
    return changed
