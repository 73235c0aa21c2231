"""The case manager's processes on Viewflow, so My tasks, the team queue and the
clock see their steps like any other.

Allegation (KCSIE Part 4): refer to the LADO (due within one working day of the
allegation) → record the LADO's advice with its reasons → the strategy discussion
(or why none was held) → the employer's actions (suspension considered) → the
outcome with its rationale. Each step is due by working days: the LADO and the
police work through the school holidays, and so must the case manager.

Low-level concern: one review by the case manager. Pattern: several low-level
concerns about the same adult, reviewed together.

The tasks belong to the head's team (Team.HEAD) at the concern's school; the
named adult can never take or work one (CaseManagerTask), whatever roles they
hold. Viewflow stores each flow's path, `workflows/adults.flows.…`, in every row.
"""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation

from accounts.calendar import add_working_days
from records.models import Concern

from ..models import CaseProcess, CaseTask, Team
from ..nodes import CaseworkFlowMixin, TeamTask
from .models import AdultCase, AdultPatternReview

STORED_MODULE = "workflows.adults.flows"

# Working days allowed for each step, counted from the day its task opened.
LADO_REFERRAL_WORKING_DAYS = 1  # KCSIE: the LADO within one working day
ADVICE_WORKING_DAYS = 1
STRATEGY_WORKING_DAYS = 5
EMPLOYER_ACTION_WORKING_DAYS = 1
# KCSIE expects most allegations resolved within a month, all within three.
OUTCOME_WORKING_DAYS = 20
LOW_LEVEL_REVIEW_WORKING_DAYS = 5
PATTERN_REVIEW_WORKING_DAYS = 5


def working_days_after(task: CaseTask, days: int) -> date:
    return add_working_days(task.school, timezone.localdate(task.created), days)


def named_adult_id(concern_id: int | None) -> int | None:
    """The account of the adult the concern names, if they have one."""
    if concern_id is None:
        return None
    return (
        Concern.objects.filter(pk=concern_id)
        .values_list("about_adult__person_id", flat=True)
        .first()
    )


class CaseManagerTask(TeamTask):
    """A task for the case manager: never claimable or workable by the adult the
    concern (or, for a pattern, the concerns) names."""

    def _named(self, user, task) -> bool:
        if not user.is_authenticated:
            return False
        if named_adult_id(task.concern_id) == user.pk:
            return True
        return AdultPatternReview.objects.filter(
            process_id=task.process_id, person_id=user.pk
        ).exists()

    def can_assign(self, user, task):
        return super().can_assign(user, task) and not self._named(user, task)

    def can_execute(self, user, task):
        return super().can_execute(user, task) and not self._named(user, task)


def case_team(concern: Concern) -> str:
    """Who works the case: the case manager's team. Routing to the chair of
    governors or the trust lead when the concern is about the head is decided at
    intake (the concern's route); the case follows it."""
    return Team.HEAD


def _start(process: CaseProcess, concern: Concern) -> CaseProcess:
    process.concern = concern
    process.school_id = concern.school_id
    process.team = case_team(concern)
    return process


def in_working_days(days: int):
    """A step's due date: `days` working days after its task opened."""

    def due(task: CaseTask) -> date:
        return working_days_after(task, days)

    return due


def case_step(title, due, then) -> CaseManagerTask:
    """One step of a case manager's process: its title, when it is due, what next."""
    return CaseManagerTask().Annotation(title=title).Due(due).Next(then)


class CaseManagerFlowMixin(CaseworkFlowMixin):
    """What the case manager's flows share: the case opens on its concern, in the
    case manager's team at the concern's school."""

    def start_case(
        self, activation: Activation, case: AdultCase, concern: Concern
    ) -> CaseProcess:
        return _start(activation.process, concern)


class AllegationFlow(CaseManagerFlowMixin, flow.Flow):
    """An allegation that may meet the harm threshold, to its outcome."""

    __module__ = STORED_MODULE

    process_title = gettext_lazy("Allegation about an adult")

    start = flow.StartHandle(this.start_case).Next(this.refer_lado)
    refer_lado = case_step(
        gettext_lazy("Refer to the LADO"), this.lado_due, this.lado_advice
    )
    lado_advice = case_step(
        gettext_lazy("Record the LADO's advice"),
        in_working_days(ADVICE_WORKING_DAYS),
        this.strategy,
    )
    strategy = case_step(
        gettext_lazy("Strategy discussion"),
        in_working_days(STRATEGY_WORKING_DAYS),
        this.employer_actions,
    )
    employer_actions = case_step(
        gettext_lazy("Employer's actions"),
        in_working_days(EMPLOYER_ACTION_WORKING_DAYS),
        this.outcome,
    )
    outcome = case_step(
        gettext_lazy("Outcome of the allegation"),
        in_working_days(OUTCOME_WORKING_DAYS),
        this.end,
    )
    end = flow.End()

    def lado_due(self, task: CaseTask) -> date:
        """One working day from the allegation reaching the case manager."""
        concern = task.concern
        return add_working_days(
            task.school,
            timezone.localdate(concern.submitted_at),
            LADO_REFERRAL_WORKING_DAYS,
        )


class LowLevelFlow(CaseManagerFlowMixin, flow.Flow):
    """A low-level concern: recorded, and reviewed by the case manager."""

    __module__ = STORED_MODULE

    process_title = gettext_lazy("Low-level concern about an adult")

    start = flow.StartHandle(this.start_case).Next(this.review_low_level)
    review_low_level = case_step(
        gettext_lazy("Review the low-level concern"),
        in_working_days(LOW_LEVEL_REVIEW_WORKING_DAYS),
        this.end,
    )
    end = flow.End()


class AdultPatternFlow(CaseManagerFlowMixin, flow.Flow):
    """Several low-level concerns about one adult, reviewed together."""

    __module__ = STORED_MODULE

    process_title = gettext_lazy("Pattern of concerns about an adult")

    start = flow.StartHandle(this.start_pattern).Next(this.review_adult_pattern)
    review_adult_pattern = case_step(
        gettext_lazy("Review concerns about one adult together"),
        in_working_days(PATTERN_REVIEW_WORKING_DAYS),
        this.end,
    )
    end = flow.End()

    def start_pattern(
        self, activation: Activation, review: AdultPatternReview, concern: Concern
    ) -> CaseProcess:
        """It hangs off the concern that crossed the threshold."""
        return _start(activation.process, concern)
