"""The processes, one node per line. Conditions are named properties of the process
(workflows.models.CaseProcess); the work of each step is a service in
workflows.services, and its data a record in records.models."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import act, flow

from accounts.calendar import add_school_days
from records.models import Concern

from .models import CaseTask, Team
from .nodes import CaseworkFlowMixin, PersonalTask, ReferralSplit, TeamTask
from .services import notify_new_concern

# School days allowed for each step (the statutory clocks are in records: the
# referral's response_due, in working days).
TRIAGE_SCHOOL_DAYS = 1
DECISION_SCHOOL_DAYS = 1
SIGN_OFF_SCHOOL_DAYS = 2
CLOSURE_SCHOOL_DAYS = 5


def _school_days(task: CaseTask, days: int) -> date:
    """School days from the day the task was created: recomputed the same way when
    the school's calendar changes (services.due_dates_recompute)."""
    return add_school_days(task.school, timezone.localdate(task.created), days)


class SignOffTask(TeamTask):
    """A second DSL's sign-off: never the one who closed it."""

    def can_assign(self, user, task):
        closure = task.process.coerced.closure
        closed_by = closure.closed_by_id if closure else None
        return super().can_assign(user, task) and user.pk != closed_by


class ConcernFlow(CaseworkFlowMixin, flow.Flow):
    """A concern from submission to closure; a review reopens it as a new cycle."""

    process_title = _("Concern")

    start = flow.StartHandle(this.start_concern).Next(this.check_urgency)
    reopen = flow.StartHandle(this.start_review).Next(this.decide)

    check_urgency = (
        flow.If(act.process.urgent).Then(this.alert_urgent).Else(this.alert_team)
    )
    alert_urgent = flow.Function(this.send_urgent_alert).Next(this.triage)
    alert_team = flow.Function(this.send_new_concern).Next(this.triage)

    triage = (
        TeamTask().Annotation(title=_("Triage")).Due(this.triage_due).Next(this.decide)
    )
    decide = (
        TeamTask()
        .Annotation(title=_("Decision"))
        .Due(this.decision_due)
        .Next(this.check_referrals)
    )
    check_referrals = (
        flow.If(act.process.needs_referral).Then(this.split_referrals).Else(this.close)
    )
    split_referrals = ReferralSplit().Next(this.follow_up)
    follow_up = (
        TeamTask()
        .Annotation(title=_("Referral follow-up"))
        .Due(this.referral_due)
        .Next(this.referrals_done)
    )
    referrals_done = flow.Join().Next(this.close)
    close = (
        TeamTask()
        .Annotation(title=_("Closure"))
        .Due(this.closure_due)
        .Next(this.check_sign_off)
    )
    check_sign_off = (
        flow.If(act.process.needs_sign_off).Then(this.sign_off).Else(this.end)
    )
    sign_off = (
        SignOffTask()
        .Annotation(title=_("Sign-off"))
        .Due(this.sign_off_due)
        .Next(this.check_signed_off)
    )
    check_signed_off = (
        flow.If(act.process.closure_signed_off).Then(this.end).Else(this.close)
    )
    end = flow.End()

    def start_concern(self, activation, concern):
        _describe(activation.process, concern, cycle=1)
        return activation.process

    def start_review(self, activation, concern, cycle):
        _describe(activation.process, concern, cycle=cycle)
        activation.process.urgent = False
        return activation.process

    def send_urgent_alert(self, activation):
        notify_new_concern(process=activation.process, urgent=True)

    def send_new_concern(self, activation):
        notify_new_concern(process=activation.process, urgent=False)

    def triage_due(self, task):
        if task.urgent:  # immediate risk: the same day
            return timezone.localdate(task.created)
        return _school_days(task, TRIAGE_SCHOOL_DAYS)

    def decision_due(self, task):
        return _school_days(task, DECISION_SCHOOL_DAYS)

    def referral_due(self, task):
        return task.referral.response_due

    def closure_due(self, task):
        return _school_days(task, CLOSURE_SCHOOL_DAYS)

    def sign_off_due(self, task):
        return _school_days(task, SIGN_OFF_SCHOOL_DAYS)


def _describe(process, concern, *, cycle):
    process.concern = concern
    process.school_id = concern.school_id
    process.team = Team.HEAD if concern.route == Concern.Route.HEAD else Team.DSL
    process.cycle = cycle
    process.urgent = concern.immediate_risk


class ActionFlow(CaseworkFlowMixin, flow.Flow):
    """An internal action ("pastoral check-in Friday") for one named person."""

    process_title = _("Action")

    start = flow.StartHandle(this.start_action).Next(this.do_action)
    do_action = (
        PersonalTask()
        .Annotation(title=_("Action"))
        .Assign(this.action_owner)
        .Due(this.action_due)
        .Next(this.end)
    )
    end = flow.End()

    def start_action(self, activation, action):
        process = activation.process
        process.action = action
        process.concern = action.concern
        process.school_id = action.concern.school_id
        process.team = (
            Team.HEAD if action.concern.route == Concern.Route.HEAD else Team.DSL
        )
        return process

    def action_owner(self, activation):
        return activation.process.action.assigned_to

    def action_due(self, task) -> date:
        return task.action.due_on
