"""Viewflow nodes shaped for Chronicle.

`TeamTask` is a human task worked by a school's team (the DSLs, or the head for
concerns about adults): anyone in that team at that school may claim it, only the
person holding it may complete it. Viewflow's own permission model is global (Django
model permissions); ours is per school, from Membership, so the checks are overridden.

`ReferralSplit` opens one parallel follow-up task per referral the decision made: a
variable number of branches, which the open-source Split cannot do by itself.
"""

from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.split import SplitActivation

from .models import CaseProcess, CaseTask
from .teams import in_team, is_member


class CaseworkFlowMixin:
    """What every Chronicle flow shares: its process and task rows are ours
    (CaseProcess, CaseTask, with the concern and school on them), and a step is
    worked under a row lock so two people cannot complete it at once. Put it before
    `flow.Flow` in the bases."""

    process_class = CaseProcess
    task_class = CaseTask
    lock_impl = lock.select_for_update_lock


class TeamTask(flow.View):
    """A human task in a team queue, with a due date from the school-day clock."""

    def __init__(self, **kwargs):
        # Chronicle renders tasks in its own admin views (workflows.views), so the
        # node needs no Viewflow view.
        super().__init__(view=None, **kwargs)
        self._due = None

    def Due(self, ref):
        """A callable (task) -> date: when the task is due."""
        self._due = ref
        return self

    def _resolve(self, instance):
        super()._resolve(instance)
        self._due = this.resolve(instance, self._due)

    def calc_due(self, task):
        return self._due(task) if self._due is not None else None

    def can_assign(self, user, task):
        return task.owner_id is None and in_team(user, task)

    def can_unassign(self, user, task):
        if task.owner_id is None or not user.is_authenticated:
            return False
        return task.owner_id == user.pk or in_team(user, task)

    def can_execute(self, user, task):
        """The holder, while they are still in the team: someone whose DSL role
        ends (a move to another school) can no longer work what they held."""
        return (
            user.is_authenticated and task.owner_id == user.pk and in_team(user, task)
        )


class PersonalTask(TeamTask):
    """A task for one named person (an internal action). Nobody claims it from a
    queue; the team may hand it to someone else at the school (the person is off
    sick or has left)."""

    def can_assign(self, user, task):
        return task.owner_id is None and is_member(user, task.school_id)

    def can_unassign(self, user, task):
        return False

    def can_execute(self, user, task):
        return (
            user.is_authenticated
            and task.owner_id == user.pk
            and is_member(user, task.school_id)
        )


class ReferralSplitActivation(SplitActivation):
    @Activation.status.super()
    def activate(self):
        decision = self.process.decision
        referrals = list(decision.referrals.values_list("pk", flat=True))
        for node, _cond, _data in self.flow_task._branches:
            for referral_pk in referrals:
                self.next_tasks.append((node, {"referral": referral_pk}))
        if not self.next_tasks:
            raise FlowRuntimeError("A referral split was reached with no referrals.")


class ReferralSplit(flow.Split):
    """One branch per referral; guard it with an If (no referral, no split)."""

    activation_class = ReferralSplitActivation
