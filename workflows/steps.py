"""Each step worked on the casework task page, declared once: its flow node, the
form it shows, the service that does its work, its template and what the page says
when it is done. The task views (workflows.views.tasks) are generic over these.

To add a step: add its node to the flow, its service, its form (a
forms.StepForm), its template under templates/workflows/steps/, and one `Step`
here naming them: the task page and the queue filter (workflows.filters) read
it. Transfer steps are worked on the transfer's own page
(workflows.transfers.views), not here.

The step names its node rather than the node its step: flows sit below the
services (services start processes, selectors and status read nodes), so a node
cannot import the service that completes it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from records.models import Concern

from . import services
from .adults import forms as adult_forms
from .adults import services as adult_services
from .adults.flows import AdultPatternFlow, AllegationFlow, LowLevelFlow
from .adults.selectors import case_context, pattern_context
from .flows import ActionFlow, ConcernFlow
from .forms import (
    ActionDoneForm,
    ClosureForm,
    DecisionForm,
    PatternReviewForm,
    ReferralForm,
    SignOffForm,
    StepForm,
    TriageForm,
)
from .models import CaseTask
from .nodes import TeamTask
from .patterns import PatternFlow, review_context

if TYPE_CHECKING:  # the stubs' name for "a str or a lazy one"; not needed to run
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True, kw_only=True)
class Step:
    """One human step of a process, as the task page works it."""

    node: TeamTask
    # What the queue filter calls it.
    label: StrOrPromise
    form: type[StepForm]
    # Called as service(task=, user=, **form.service_kwargs()).
    service: Callable[..., object]
    template: str
    # What the page says when the step is done: %(ref)s is the task's reference,
    # %(agency)s the referral's agency. A callable chooses the message for the task.
    done: StrOrPromise | Callable[[CaseTask], StrOrPromise]
    # Completing it moves the concern on: its next step is claimed for the user.
    moves_concern_on: bool = True
    # The team may hand it to a colleague (an action is the named person's).
    reassignable: bool = True
    # More for the task page, for a reader in the team.
    context: Callable[[CaseTask, User], dict[str, Any]] | None = None

    @property
    def name(self) -> str:
        return self.node.name

    def form_for(self, task: CaseTask, data: Any = None) -> StepForm:
        return self.form.for_task(task, data)

    def run(self, *, task: CaseTask, user: User, form: StepForm) -> object:
        return self.service(task=task, user=user, **form.service_kwargs())

    def done_message(self, task: CaseTask) -> str:
        message = self.done(task) if callable(self.done) else self.done
        return message % {
            "ref": task.reference,
            "agency": task.referral.agency_name if task.referral_id else "",
        }


CLOSED = _("%(ref)s closed.")
CLOSURE_PENDING = _(
    "%(ref)s sent for sign-off: it is not closed until a second DSL signs it "
    "off. They have been told."
)


def _closure_done(task: CaseTask) -> StrOrPromise:
    """A closure waiting for a second DSL's sign-off is not closed yet."""
    task.concern.refresh_from_db(fields=["status"])
    if task.concern.status != Concern.Status.CLOSED:
        return CLOSURE_PENDING
    return CLOSED


TRIAGE = Step(
    node=ConcernFlow.triage,
    label=_("Triage"),
    form=TriageForm,
    service=services.triage_complete,
    template="workflows/steps/triage.html",
    done=_("Triage recorded for %(ref)s."),
)
DECIDE = Step(
    node=ConcernFlow.decide,
    label=_("Decision"),
    form=DecisionForm,
    service=services.decision_complete,
    template="workflows/steps/decide.html",
    done=_("Decision recorded for %(ref)s."),
)
FOLLOW_UP = Step(
    node=ConcernFlow.follow_up,
    label=_("Referral follow-up"),
    form=ReferralForm,
    service=services.referral_save,
    template="workflows/steps/follow_up.html",
    done=_("Referral to %(agency)s completed for %(ref)s."),
)
CLOSE = Step(
    node=ConcernFlow.close,
    label=_("Closure"),
    form=ClosureForm,
    service=services.closure_complete,
    template="workflows/steps/close.html",
    done=_closure_done,
)
SIGN_OFF = Step(
    node=ConcernFlow.sign_off,
    label=_("Sign-off"),
    form=SignOffForm,
    service=services.sign_off_complete,
    template="workflows/steps/sign_off.html",
    done=_("Sign-off recorded for %(ref)s."),
)
DO_ACTION = Step(
    node=ActionFlow.do_action,
    label=_("Action"),
    form=ActionDoneForm,
    service=services.action_complete,
    template="workflows/steps/do_action.html",
    done=_("Action done for %(ref)s."),
    moves_concern_on=False,
    reassignable=False,
)
REVIEW_PATTERN = Step(
    node=PatternFlow.review_pattern,
    label=_("Pattern review"),
    form=PatternReviewForm,
    service=services.pattern_review_complete,
    template="workflows/steps/review_pattern.html",
    done=_("Pattern reviewed (latest concern %(ref)s)."),
    moves_concern_on=False,
    context=review_context,
)

# Concerns about adults (workflows.adults): the case manager's steps.
REFER_LADO = Step(
    node=AllegationFlow.refer_lado,
    label=_("Refer to the LADO"),
    form=adult_forms.LadoReferralForm,
    service=adult_services.lado_referral_complete,
    template="workflows/adults/steps/refer_lado.html",
    done=_("LADO referral recorded for %(ref)s."),
    context=case_context,
)
LADO_ADVICE = Step(
    node=AllegationFlow.lado_advice,
    label=_("LADO's advice"),
    form=adult_forms.LadoAdviceForm,
    service=adult_services.lado_advice_complete,
    template="workflows/adults/steps/lado_advice.html",
    done=_("The LADO's advice is recorded for %(ref)s."),
    context=case_context,
)
STRATEGY = Step(
    node=AllegationFlow.strategy,
    label=_("Strategy discussion"),
    form=adult_forms.StrategyForm,
    service=adult_services.strategy_complete,
    template="workflows/adults/steps/strategy.html",
    done=_("Strategy discussion recorded for %(ref)s."),
    context=case_context,
)
EMPLOYER_ACTIONS = Step(
    node=AllegationFlow.employer_actions,
    label=_("Employer's actions"),
    form=adult_forms.EmployerActionForm,
    service=adult_services.employer_action_complete,
    template="workflows/adults/steps/employer_actions.html",
    done=_("Employer's actions recorded for %(ref)s."),
    context=case_context,
)
OUTCOME = Step(
    node=AllegationFlow.outcome,
    label=_("Outcome of an allegation"),
    form=adult_forms.OutcomeForm,
    service=adult_services.outcome_complete,
    template="workflows/adults/steps/outcome.html",
    done=_("Outcome recorded for %(ref)s: the case is closed."),
    context=case_context,
)
REVIEW_LOW_LEVEL = Step(
    node=LowLevelFlow.review_low_level,
    label=_("Low-level concern review"),
    form=adult_forms.LowLevelReviewForm,
    service=adult_services.low_level_review_complete,
    template="workflows/adults/steps/review_low_level.html",
    done=_("Review recorded for %(ref)s."),
    context=case_context,
)
REVIEW_ADULT_PATTERN = Step(
    node=AdultPatternFlow.review_adult_pattern,
    label=_("Pattern review (adult)"),
    form=adult_forms.AdultPatternReviewForm,
    service=adult_services.adult_pattern_review_complete,
    template="workflows/adults/steps/review_adult_pattern.html",
    done=_("Concerns about the adult reviewed (latest %(ref)s)."),
    moves_concern_on=False,
    context=pattern_context,
)

# The steps of a concern about a child (its actions and pattern reviews too): what
# the manager's status page counts (workflows.status).
CONCERN_STEPS = (TRIAGE, DECIDE, FOLLOW_UP, CLOSE, SIGN_OFF, DO_ACTION, REVIEW_PATTERN)

STEPS: Mapping[TeamTask, Step] = {
    step.node: step
    for step in (
        *CONCERN_STEPS,
        REFER_LADO,
        LADO_ADVICE,
        STRATEGY,
        EMPLOYER_ACTIONS,
        OUTCOME,
        REVIEW_LOW_LEVEL,
        REVIEW_ADULT_PATTERN,
    )
}


def step_of(task: CaseTask) -> Step | None:
    """The step the task is at, or None if it is not worked on the task page."""
    return STEPS.get(task.flow_task)


__all__ = ["CONCERN_STEPS", "STEPS", "Step", "step_of"]
