"""The concern's steps: each one's write, under the process lock.

Each step's service runs under the process lock (select_for_update on PostgreSQL),
re-reads the task, checks the user still holds it, writes the step's record and moves
the process on — all or nothing (step_complete). A write that leaves the step open
(a referral's contact, a transfer's checklist) goes through step_write. A second
person acting on the same task gets a TaskConflict with a message saying what
happened, never a silent overwrite.
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from accounts.calendar import add_working_days
from accounts.models import School, User
from records.models import (
    Action,
    Closure,
    Concern,
    Decision,
    DecisionOutcome,
    Referral,
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
from .claims import holder_name
from .conflicts import TaskConflict
from .notifications import notify, notify_new_concern

# Working days an agency has to respond before Chronicle raises a chase. Children's
# social care must decide next steps within one working day (Working Together 2023).
AGENCY_RESPONSE_WORKING_DAYS = {"csc": 1}
DEFAULT_RESPONSE_WORKING_DAYS = 5

T = TypeVar("T")


# Writing on a step -------------------------------------------------------------------


def step_complete(task: CaseTask, user: User, write: Callable[[CaseProcess], T]) -> T:
    """Run `write(process)` and move the process on, under the process lock."""
    with task.activation() as activation:
        task = activation.task
        if task.status not in OPEN:
            raise TaskConflict(_("This task has already been completed."))
        if not activation.flow_task.can_execute(user, task):
            holder = holder_name(task)
            raise TaskConflict(
                _("%(name)s holds this task now.") % {"name": holder}
                if holder
                else _("Claim this task before completing it.")
            )
        result = write(activation.process)
        activation.start(None)
        activation.execute()
        return result


def step_write(
    task: CaseTask,
    user: User,
    write: Callable[[CaseProcess], T],
    *,
    done_message: str,
    claim_message: str,
) -> T:
    """Run `write(process)` on an open step without completing it, under the
    process lock: the step stays open (a referral's contact recorded, a transfer's
    bundle checked). Raises TaskConflict with `done_message` if the step is over,
    `claim_message` if the user doesn't hold it."""
    with task.activation() as activation:
        task = activation.task
        if task.status not in OPEN:
            raise TaskConflict(done_message)
        if not activation.flow_task.can_execute(user, task):
            raise TaskConflict(claim_message)
        return write(activation.process)


def _check_terms(school: School, terms: Iterable[Term], vocabulary: str) -> None:
    if any(
        term.school_id not in (None, school.pk) or term.vocabulary != vocabulary
        for term in terms
    ):
        raise ValidationError(_("A choice from another school's list was made."))


# Triage and decision ----------------------------------------------------------------


def triage_complete(  # noqa: PLR0913
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


def decision_complete(  # noqa: PLR0913
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
            _referral_open(decision, agency)
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


def _referral_open(decision: Decision, agency: Term) -> Referral:
    referral = Referral(
        concern=decision.concern,
        decision=decision,
        agency=agency,
        agency_name=str(agency),
    )
    # Until the referral is made, the clock runs from the decision.
    referral.response_due = referral_response_due(referral, timezone.localdate())
    referral.full_clean()
    referral.save()
    return referral


REFERRAL_CONTACT = ("contacted_on", "method", "contact_name", "reference")
REFERRAL_RESPONSE = (
    "responded_on",
    "agency_outcome",
    "response",
    "agency_rationale",
    "disagreement",
)


def referral_save(
    *, task: CaseTask, user: User, complete: bool = False, **fields: Any
) -> Referral:
    """Record contact with the agency (the task stays open), or the agency's
    response, which completes the follow-up. An agency's "no further action" needs
    their reason. The response clock starts when the referral is made."""
    unknown = set(fields) - set(REFERRAL_CONTACT) - set(REFERRAL_RESPONSE)
    if unknown:
        raise TypeError(f"Unknown referral fields: {sorted(unknown)}")

    def write(process: CaseProcess) -> Referral:
        referral = Referral.objects.select_for_update().get(pk=task.referral_id)
        made_on = referral.contacted_on
        for name, value in fields.items():
            setattr(referral, name, value)
        if referral.contacted_on and referral.contacted_on != made_on:
            referral.response_due = referral_response_due(
                referral, referral.contacted_on
            )
            CaseTask.objects.filter(pk=task.pk).update(due_on=referral.response_due)
        if complete:
            _check_response(referral)
            referral.completed_by = user
            referral.completed_at = timezone.now()
        referral.full_clean()
        referral.save()
        return referral

    if complete:
        return step_complete(task, user, write)
    return step_write(
        task,
        user,
        write,
        done_message=_("This follow-up has already been completed."),
        claim_message=_("Claim this task before recording on it."),
    )


def referral_response_due(referral: Referral, start: date) -> date:
    """When the agency's response is due: working days from `start` (the referral
    made, or decided), AGENCY_RESPONSE_WORKING_DAYS for the agency."""
    days = AGENCY_RESPONSE_WORKING_DAYS.get(
        referral.agency.key, DEFAULT_RESPONSE_WORKING_DAYS
    )
    return add_working_days(referral.concern.school, start, days)


def _check_response(referral: Referral) -> None:
    errors: dict[str, Any] = {}
    required = {
        "contacted_on": _("Say when the referral was made."),
        "method": _("Say how the referral was made."),
        "responded_on": _("Say when the agency responded."),
        "agency_outcome": _("Record what the agency decided."),
    }
    for name, message in required.items():
        if not getattr(referral, name):
            errors[name] = message
    if referral.agency_outcome == Referral.AgencyOutcome.NFA:
        if not referral.agency_rationale.strip():
            errors["agency_rationale"] = _(
                "The agency is taking no further action: record their reason."
            )
        else:
            try:
                validate_rationale(referral.agency_rationale)
            except ValidationError as error:
                errors["agency_rationale"] = error.messages
    if (
        referral.contacted_on
        and referral.responded_on
        and referral.responded_on < referral.contacted_on
    ):
        errors["responded_on"] = _("The response cannot come before the referral.")
    if errors:
        raise ValidationError(errors)


# Closure and sign-off ---------------------------------------------------------------


def closure_complete(  # noqa: PLR0913
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


def action_complete(*, task: CaseTask, user: User, note: str) -> Action:
    def write(process: CaseProcess) -> Action:
        if not note.strip():
            raise ValidationError({"note": _("Say what was done.")})
        action = process.action
        action.completed_at = timezone.now()
        action.completed_note = note
        action.save(update_fields=["completed_at", "completed_note"])
        return action

    return step_complete(task, user, write)


def action_create(*, submission_key: Any = None, **kwargs: Any) -> Action:
    """Give a named person something to do by a date; it appears in their tasks.
    The same submission key twice (a double click) makes one action."""
    if submission_key is not None:
        existing = Action.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    try:
        return _action_create(submission_key=submission_key, **kwargs)
    except IntegrityError:
        existing = Action.objects.filter(submission_key=submission_key).first()
        if submission_key is None or existing is None:
            raise
        return existing


@transaction.atomic
def _action_create(  # noqa: PLR0913
    *,
    concern: Concern,
    description: str,
    assigned_to: User,
    due_on: date,
    user: User,
    referral: Referral | None = None,
    submission_key: Any = None,
) -> Action:
    action = Action(
        submission_key=submission_key,
        concern=concern,
        description=description,
        assigned_to=assigned_to,
        due_on=due_on,
        created_by=user,
        referral=referral,
        kind=Action.Kind.CHASE if referral else Action.Kind.ACTION,
    )
    action.full_clean()
    if not assigned_to.memberships.filter(school=concern.school_id).exists():
        raise ValidationError(
            {
                "assigned_to": _("Choose someone who works at %(school)s.")
                % {"school": concern.school}
            }
        )
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The date is in the past.")})
    action.save()
    flows.ActionFlow.start.run(action=action)
    task = CaseTask.objects.get(action=action, flow_task_type="HUMAN")
    notify(
        users=[assigned_to],
        kind=Notification.Kind.ASSIGNED,
        # The concern's reference, so the notice says which concern it is about
        # (the email carries only the link: workflows.tasks).
        message=_("An action for you on %(ref)s, by %(due)s: %(what)s")
        % {
            "ref": concern.reference,
            "due": due_on.strftime("%d %b %Y"),
            "what": description[:150],
        },
        task=task,
    )
    return action
