"""The concern's steps: triage, decision, closure, sign-off, and the pattern
review. Each writes through writing.step_complete (under the process lock, all or
nothing); referrals and actions have modules of their own."""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from accounts.models import School, User
from records.models import (
    Closure,
    Concern,
    Decision,
    DecisionOutcome,
    RiskLevel,
    Triage,
)
from records.validators import validate_rationale
from taxonomy.models import Term

from .. import flows
from ..models import (
    OPEN,
    CaseProcess,
    CaseTask,
    CaseworkSettings,
    Notification,
    PatternReview,
)
from ..teams import task_team
from .conflicts import TaskConflict
from .notifications import notify, notify_new_concern
from .referrals import referral_open
from .writing import step_complete


def _check_terms(school: School, terms: Iterable[Term], vocabulary: str) -> None:
    if any(
        term.school_id not in (None, school.pk) or term.vocabulary != vocabulary
        for term in terms
    ):
        raise ValidationError(_("A choice from another school's list was made."))


# Triage and decision ----------------------------------------------------------------


def triage_complete(
    *,
    task: CaseTask,
    user: User,
    primary_category: Term,
    risk_level: str,
    risk_reason: str,
    tags: Iterable[Term] = (),
    actions_needed: str = "",
    roles: Mapping[int, str] | None = None,
) -> Triage:
    """Confirm category and children's roles, set the risk with its reason."""

    def write(process: CaseProcess) -> Triage:
        concern = process.concern
        _check_terms(concern.school, [primary_category, *tags], "category")
        try:
            validate_rationale(risk_reason, min_characters=15, min_words=4)
        except ValidationError as error:
            raise ValidationError({"risk_reason": error.messages}) from error
        triage = Triage(
            concern=concern,
            cycle=process.cycle,
            primary_category=primary_category,
            primary_category_name=str(primary_category),
            tag_names=[str(tag) for tag in tags],
            risk_level=risk_level,
            risk_reason=risk_reason,
            actions_needed=actions_needed,
            triaged_by=user,
        )
        triage.full_clean()
        triage.save()
        triage.tags.set(tags)
        _set_roles(concern, roles or {})
        concern.status = Concern.Status.IN_PROGRESS
        concern.save(update_fields=["status"])
        if risk_level == RiskLevel.IMMEDIATE and not process.urgent:
            _make_urgent(process)
        return triage

    return step_complete(task, user, write)


def _set_roles(concern: Concern, roles: Mapping[int, str]) -> None:
    for involvement in concern.involvements.all():
        role = roles.get(involvement.pk)
        if role and role != involvement.role:
            involvement.role = role
            involvement.full_clean()
            involvement.save(update_fields=["role"])


def _make_urgent(process: CaseProcess) -> None:
    process.urgent = True
    process.save(update_fields=["urgent"])
    CaseTask.objects.filter(process=process).update(urgent=True)
    notify_new_concern(process=process, urgent=True)


def decision_complete(
    *,
    task: CaseTask,
    user: User,
    outcome: str,
    rationale: str,
    consulted: str = "",
    review_on: date | None = None,
    agencies: Iterable[Term] = (),
) -> Decision:
    """Record the decision and its reason; open one referral per agency chosen."""

    def write(process: CaseProcess) -> Decision:
        concern = process.concern
        _check_decision(outcome, agencies, review_on)
        _check_terms(concern.school, agencies, "agency")
        decision = Decision(
            concern=concern,
            cycle=process.cycle,
            outcome=outcome,
            rationale=rationale,
            consulted=consulted,
            review_on=review_on,
            decided_by=user,
        )
        decision.full_clean()
        decision.save()
        for agency in agencies:
            referral_open(decision, agency)
        return decision

    return step_complete(task, user, write)


def _check_decision(
    outcome: str, agencies: Iterable[Term], review_on: date | None
) -> None:
    errors = {}
    if outcome == DecisionOutcome.REFERRAL and not agencies:
        errors["agencies"] = _("Choose the agencies you are referring to.")
    if outcome != DecisionOutcome.REFERRAL and agencies:
        errors["agencies"] = _(
            "Agencies are chosen only with the decision “Refer to other agencies”."
        )
    if outcome != DecisionOutcome.NFA and review_on is None:
        errors["review_on"] = _("Set a date to review this decision.")
    if review_on is not None and review_on <= timezone.localdate():
        errors["review_on"] = _("The review date must be after today.")
    if errors:
        raise ValidationError(errors)


# Referrals --------------------------------------------------------------------------


# Closure and sign-off ---------------------------------------------------------------


def closure_complete(
    *,
    task: CaseTask,
    user: User,
    outcome_summary: str,
    rationale: str,
    review_on: date | None = None,
    needs_sign_off: bool = False,
) -> Closure:
    """Close the cycle. The school's rule may require a second DSL's sign-off
    whatever the closing DSL chose (CaseworkSettings)."""

    def write(process: CaseProcess) -> Closure:
        nonlocal needs_sign_off
        concern = process.concern
        rule = CaseworkSettings.for_school(concern.school)
        needs_sign_off = needs_sign_off or rule.sign_off_required(
            concern, process.cycle
        )
        if needs_sign_off and not _second_signers(task, user).exists():
            raise ValidationError(
                {
                    "needs_sign_off": _(
                        "Nobody else in the team at %(school)s can sign this off. "
                        "Ask for a deputy DSL to be added, or change the casework "
                        "settings."
                    )
                    % {"school": concern.school}
                }
            )
        if review_on is not None and review_on <= timezone.localdate():
            raise ValidationError({"review_on": _("The review date must be later.")})
        closure = Closure(
            concern=concern,
            cycle=process.cycle,
            outcome_summary=outcome_summary,
            rationale=rationale,
            review_on=review_on,
            needs_sign_off=needs_sign_off,
            closed_by=user,
        )
        closure.full_clean()
        closure.save()
        if not needs_sign_off:
            concern.status = Concern.Status.CLOSED
            concern.save(update_fields=["status"])
        return closure

    closure = step_complete(task, user, write)
    if closure.needs_sign_off:
        sign_off = _open_step(closure.concern, flows.ConcernFlow.instance.sign_off)
        notify(
            users=_second_signers(task, user),
            kind=Notification.Kind.SIGN_OFF,
            message=_("%(ref)s is ready for a second DSL to sign off.")
            % {"ref": closure.concern.reference},
            task=sign_off,
        )
    return closure


def _second_signers(task: CaseTask, closer: User) -> QuerySet[User]:
    return task_team(task).exclude(pk=closer.pk)


def _open_step(concern: Concern, node: Any) -> CaseTask | None:
    """The concern's open task at this node of its flow, if any."""
    for task in CaseTask.objects.filter(
        concern=concern, flow_task_type="HUMAN", status__in=OPEN
    ):
        if task.flow_task == node:
            return task
    return None


def sign_off_complete(
    *, task: CaseTask, user: User, agree: bool, note: str = ""
) -> Closure:
    """A second DSL agrees the concern can close, or sends it back to closure with
    the reason (to the DSL who closed it)."""

    def write(process: CaseProcess) -> Closure:
        closure = process.closure
        if closure.closed_by_id == user.pk:
            raise TaskConflict(_("A second DSL must sign off, not the one who closed."))
        closure.sign_off_note = note
        concern = process.concern
        if agree:
            closure.signed_off_by = user
            closure.signed_off_at = timezone.now()
            concern.status = Concern.Status.CLOSED
            concern.save(update_fields=["status"])
        else:
            try:
                validate_rationale(note, min_characters=15, min_words=4)
            except ValidationError as error:
                raise ValidationError({"note": error.messages}) from error
            closure.sent_back_by = user
            closure.sent_back_at = timezone.now()
        closure.save()
        return closure

    closure = step_complete(task, user, write)
    if not agree:
        close = _open_step(closure.concern, flows.ConcernFlow.instance.close)
        if close is not None:
            CaseTask.objects.filter(pk=close.pk, owner__isnull=True).update(
                owner=closure.closed_by,
                status=STATUS.ASSIGNED,
                assigned=timezone.now(),
            )
            notify(
                users=[closure.closed_by],
                kind=Notification.Kind.ASSIGNED,
                message=_("%(ref)s was sent back to you at sign-off: see the note.")
                % {"ref": closure.concern.reference},
                task=close,
            )
    return closure


# Pattern reviews and actions --------------------------------------------------------


def pattern_review_complete(
    *, task: CaseTask, user: User, conclusion: str
) -> PatternReview:
    """The DSL team's conclusion on a pattern: what it shows and what is done about
    it. A stock phrase is not a conclusion (records.validators)."""

    def write(process: CaseProcess) -> PatternReview:
        review = PatternReview.objects.select_for_update().get(process=process)
        review.conclusion = conclusion
        review.reviewed_by = user
        review.reviewed_at = timezone.now()
        review.full_clean()
        review.save()
        return review

    return step_complete(task, user, write)
