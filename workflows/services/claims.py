"""Who holds a task: claiming, releasing, handing over. Every change of holder is
in the audit log."""

from copy import copy

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from accounts.models import User
from audit.services import record_change
from records.models import Concern

from .. import flows
from ..adults import flows as adult_flows
from ..models import OPEN, CaseTask, Notification
from ..teams import in_team
from .conflicts import TaskConflict
from .notifications import notify


def holder_name(task: CaseTask) -> str:
    """The name of whoever holds the task, as conflict messages give it."""
    return task.owner.get_full_name() or task.owner.username if task.owner else ""


def task_claim(*, task: CaseTask, user: User) -> CaseTask:
    """Take an unclaimed task. Exactly one of two simultaneous claims wins."""
    with task.activation() as activation:
        task = activation.task
        if task.status not in OPEN:
            raise TaskConflict(_("This task has already been completed."))
        if task.owner_id == user.pk:
            return task
        if task.owner_id:
            raise TaskConflict(
                _("%(name)s claimed this task first.") % {"name": holder_name(task)}
            )
        if not activation.flow_task.can_assign(user, task):
            raise TaskConflict(_("You cannot take this task."))
        # The conditional update makes one winner even where the database has no
        # row locks (SQLite in development).
        won = CaseTask.objects.filter(pk=task.pk, owner__isnull=True).update(
            owner=user, status=STATUS.ASSIGNED, assigned=timezone.now()
        )
        if not won:
            raise TaskConflict(_("Someone else claimed this task first."))
        task.refresh_from_db()
        _log_owner(task, None, user)
        return task


def task_release(*, task: CaseTask, user: User) -> CaseTask:
    """Put a claimed task back in the team queue."""
    with task.activation() as activation:
        task = activation.task
        if task.owner_id is None or task.status not in OPEN:
            raise TaskConflict(_("This task is no longer held by anyone."))
        if not activation.flow_task.can_unassign(user, task):
            raise TaskConflict(_("You cannot release this task."))
        previous = task.owner
        CaseTask.objects.filter(pk=task.pk).update(
            owner=None, status=STATUS.NEW, assigned=None, started=None
        )
        task.refresh_from_db()
        _log_owner(task, previous, None)
        return task


def task_reassign(*, task: CaseTask, user: User, to: User) -> CaseTask:
    """Hand a task to someone else who may take it: another member of the team (an
    action: anyone at the school). Only the team hands tasks over."""
    with task.activation() as activation:
        task = activation.task
        if task.status not in OPEN:
            raise TaskConflict(_("This task has already been completed."))
        if not in_team(user, task):
            raise TaskConflict(_("Only the team can hand this task over."))
        unowned = copy(task)
        unowned.owner_id = None
        if not activation.flow_task.can_assign(to, unowned):
            raise ValidationError(
                {"to": _("%(name)s cannot take this task.") % {"name": to}}
            )
        previous = task.owner
        CaseTask.objects.filter(pk=task.pk).update(
            owner=to, status=STATUS.ASSIGNED, assigned=timezone.now(), started=None
        )
        task.refresh_from_db()
        _log_owner(task, previous, to)
    notify(
        users=[to],
        kind=Notification.Kind.ASSIGNED,
        message=_("%(step)s for %(ref)s was handed to you.")
        % {"step": task.flow_task.task_title, "ref": task.reference},
        task=task,
    )
    return task


def _log_owner(task: CaseTask, before: User | None, after: User | None) -> None:
    """Claims and hand-overs are in the audit log: who held the task, and when."""
    record_change(
        obj=task,
        changes={"owner": [str(before or ""), str(after or "")]},
    )


def claim_next(*, concern: Concern, user: User) -> list[CaseTask]:
    """After a step, the same person takes the concern's next steps (the decision
    after triage, each referral after the decision) where they may: the concern
    does not drop back into the queue unseen. They can release it."""
    claimed = []
    for task in CaseTask.objects.filter(
        concern=concern,
        flow_task_type="HUMAN",
        status=STATUS.NEW,
        action=None,
        # not a pattern review hung on it
        process__flow_class__in=[
            flows.ConcernFlow,
            adult_flows.AllegationFlow,
            adult_flows.LowLevelFlow,
        ],
    ).order_by("created", "pk"):
        try:
            claimed.append(task_claim(task=task, user=user))
        except TaskConflict:
            continue
    return claimed
