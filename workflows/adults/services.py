"""Concerns about adults, writes: opening the case, each step's record, the
pattern check over low-level concerns, and retention by outcome.

Every step goes through workflows.services.step_complete: under the process lock,
by the person holding the task, all or nothing; a second submit of the same step
gets "already completed" and writes nothing. Each record is validated
(full_clean) here as well as in its form, so a script cannot skip the reasons.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from records.models import AdultConcernKind, Concern, ConcernAboutAdult
from records.validators import validate_rationale

from ..models import CaseProcess, CaseTask, Notification
from ..services import notify, step_complete
from ..teams import task_team
from .flows import AdultPatternFlow, AllegationFlow, LowLevelFlow
from .models import (
    KEPT_OUTCOMES,
    AdultCase,
    AdultCaseSettings,
    AdultPatternReview,
    EmployerAction,
    LadoAdvice,
    LadoReferral,
    LowLevelReview,
    Outcome,
    StrategyDiscussion,
)
from .selectors import adult_key, concerns_about_same_adult

RETENTION_YEARS = 10


# Opening ---------------------------------------------------------------------------


def adult_case_open(*, concern: Concern) -> AdultCase:
    """Open the case manager's case on a concern about an adult, inside the
    submission's transaction (workflows.services.concern_open): an allegation's
    process starts at "Refer to the LADO", a low-level concern's at its review,
    and a low-level concern is checked for a pattern about the same adult."""
    about = ConcernAboutAdult.objects.get(concern=concern)
    case = AdultCase(concern=concern, kind=about.kind)
    case.full_clean(exclude=["process"])
    case.save()
    _start(case)
    if about.kind == AdultConcernKind.LOW_LEVEL:
        adult_patterns_raise(concern=concern)
    return case


def _start(case: AdultCase) -> None:
    flow = AllegationFlow if case.is_allegation else LowLevelFlow
    case.process = flow.start.run(case=case, concern=case.concern)
    case.save(update_fields=["process"])
    first = CaseTask.objects.filter(
        process=case.process, flow_task_type="HUMAN"
    ).first()
    message = (
        _(
            "Allegation about an adult at %(school)s (%(ref)s): refer it to the LADO "
            "by %(due)s."
        )
        if case.is_allegation
        else _("Low-level concern about an adult at %(school)s (%(ref)s) to review.")
    )
    _notify_case_manager(
        first,
        message
        % {
            "school": case.concern.school,
            "ref": case.concern.reference,
            "due": first.due_on.strftime("%d %b %Y") if first and first.due_on else "",
        },
    )


def _notify_case_manager(task: CaseTask | None, message: str) -> None:
    """Tell the concern's case manager (workflows.teams.task_team, from
    records.selectors.case_managers: the head, or the chair of governors or the
    trust's nominated lead when the adult named is a head), never the adult the
    concern names."""
    if task is None:
        return
    notify(
        users=list(task_team(task)),
        kind=Notification.Kind.NEW_CONCERN,
        message=message,
        task=task,
    )


def _case(process: CaseProcess) -> AdultCase:
    return AdultCase.objects.select_for_update().get(concern_id=process.concern_id)


def _set_status(concern_id: int, status: str) -> None:
    concern = Concern.objects.get(pk=concern_id)
    if concern.status != status:
        concern.status = status
        concern.save(update_fields=["status"])


def _save_step(record: Any) -> Any:
    record.full_clean()
    record.save()
    return record


# An allegation's steps ---------------------------------------------------------------


def lado_referral_complete(
    *,
    task: CaseTask,
    user: User,
    referred_on: datetime.date,
    lado_name: str,
    method: str,
    summary: str,
    late_reason: str = "",
) -> LadoReferral:
    """The referral to the LADO, due within one working day (the task's due
    date): a later one needs its reason."""

    def write(process: CaseProcess) -> LadoReferral:
        if referred_on and referred_on > timezone.localdate():
            raise ValidationError({"referred_on": _("This date is in the future.")})
        case = _case(process)
        _set_status(case.concern_id, Concern.Status.IN_PROGRESS)
        return _save_step(
            LadoReferral(
                case=case,
                referred_on=referred_on,
                lado_name=lado_name,
                method=method,
                summary=summary,
                late_reason=late_reason,
                due_on=task.due_on or referred_on,
                recorded_by=user,
            )
        )

    return step_complete(task, user, write)


def lado_advice_complete(
    *,
    task: CaseTask,
    user: User,
    received_on: datetime.date,
    advice: str,
    reasons: str,
) -> LadoAdvice:
    def write(process: CaseProcess) -> LadoAdvice:
        case = _case(process)
        referral = getattr(case, "lado_referral", None)
        if referral and received_on and received_on < referral.referred_on:
            raise ValidationError(
                {"received_on": _("The advice cannot come before the referral.")}
            )
        return _save_step(
            LadoAdvice(
                case=case,
                received_on=received_on,
                advice=advice,
                reasons=reasons,
                recorded_by=user,
            )
        )

    return step_complete(task, user, write)


def strategy_complete(
    *,
    task: CaseTask,
    user: User,
    held: bool,
    decisions: str,
    held_on: datetime.date | None = None,
    attendees: str = "",
) -> StrategyDiscussion:
    def write(process: CaseProcess) -> StrategyDiscussion:
        return _save_step(
            StrategyDiscussion(
                case=_case(process),
                held=held,
                held_on=held_on if held else None,
                attendees=attendees if held else "",
                decisions=decisions,
                recorded_by=user,
            )
        )

    return step_complete(task, user, write)


def employer_action_complete(
    *,
    task: CaseTask,
    user: User,
    suspended: bool,
    suspension_reasons: str,
    other_actions: str = "",
) -> EmployerAction:
    def write(process: CaseProcess) -> EmployerAction:
        return _save_step(
            EmployerAction(
                case=_case(process),
                suspended=suspended,
                suspension_reasons=suspension_reasons,
                other_actions=other_actions,
                recorded_by=user,
            )
        )

    return step_complete(task, user, write)


def retention_date(
    *,
    outcome: str,
    allegation_on: datetime.date,
    date_of_birth: datetime.date | None,
    pension_age: int,
) -> datetime.date | None:
    """Substantiated, unsubstantiated and unfounded: until normal pension age or 10
    years from the allegation, whichever is later (10 years without a date of
    birth). False and malicious: None, the record leaves personnel records now."""
    if outcome not in KEPT_OUTCOMES:
        return None
    ten_years = _years_after(allegation_on, RETENTION_YEARS)
    if date_of_birth is None:
        return ten_years
    return max(ten_years, _years_after(date_of_birth, pension_age))


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def outcome_complete(
    *,
    task: CaseTask,
    user: User,
    outcome: str,
    rationale: str,
    date_of_birth: datetime.date | None = None,
) -> AdultCase:
    """The allegation's outcome with its rationale, and what follows for the
    record: its retention date, or its removal from personnel records (false,
    malicious). The concern is closed."""

    def write(process: CaseProcess) -> AdultCase:
        case = _case(process)
        case.outcome = outcome
        case.outcome_rationale = rationale
        case.outcome_by = user
        case.outcome_at = timezone.now()
        case.date_of_birth = date_of_birth
        errors = {}
        if outcome not in Outcome.values:
            errors["outcome"] = [_("Choose one of the five outcomes.")]
        try:
            _rationale_of(rationale)
        except ValidationError as error:
            errors["rationale"] = error.messages
        if date_of_birth and date_of_birth >= timezone.localdate():
            errors["date_of_birth"] = [_("This date of birth is not in the past.")]
        if errors:
            raise ValidationError(errors)
        settings = AdultCaseSettings.for_school(case.concern.school_id)
        case.retain_until = retention_date(
            outcome=outcome,
            allegation_on=timezone.localdate(case.concern.submitted_at),
            date_of_birth=date_of_birth,
            pension_age=settings.normal_pension_age,
        )
        case.removed_from_personnel_at = (
            None if outcome in KEPT_OUTCOMES else case.outcome_at
        )
        case.full_clean()
        case.save()
        _set_status(case.concern_id, Concern.Status.CLOSED)
        return case

    return step_complete(task, user, write)


def _rationale_of(text: str) -> None:
    """The same rule as every decision's reason (records.validators)."""
    validate_rationale(text)


# A low-level concern ---------------------------------------------------------------


def low_level_review_complete(
    *, task: CaseTask, user: User, decision: str, what_decided: str
) -> LowLevelReview:
    """The case manager's review. Deciding it meets the harm threshold turns it
    into an allegation: its process starts at "Refer to the LADO", due within one
    working day of this review."""

    def write(process: CaseProcess) -> LowLevelReview:
        case = _case(process)
        review = _save_step(
            LowLevelReview(
                case=case,
                decision=decision,
                what_decided=what_decided,
                recorded_by=user,
            )
        )
        if decision != LowLevelReview.Decision.ALLEGATION:
            _set_status(case.concern_id, Concern.Status.CLOSED)
        return review

    review = step_complete(task, user, write)
    if review.decision == LowLevelReview.Decision.ALLEGATION:
        _escalate_to_allegation(review.case)
    return review


@transaction.atomic
def _escalate_to_allegation(case: AdultCase) -> None:
    about = ConcernAboutAdult.objects.get(concern=case.concern_id)
    about.kind = AdultConcernKind.ALLEGATION
    about.save(update_fields=["kind"])
    case.kind = AdultConcernKind.ALLEGATION
    case.save(update_fields=["kind"])
    _set_status(case.concern_id, Concern.Status.IN_PROGRESS)
    _start(case)


# Patterns --------------------------------------------------------------------------


def adult_patterns_raise(*, concern: Concern) -> AdultPatternReview | None:
    """Several low-level concerns about the same adult (the same account, or the
    same name at the school) within the school's window ⇒ a review task for the
    case manager, unless one for that adult is still open (it grows instead)."""
    about = ConcernAboutAdult.objects.get(concern=concern)
    settings = AdultCaseSettings.for_school(concern.school_id)
    linked = list(
        concerns_about_same_adult(
            about=about,
            until=concern.submitted_at,
            within_days=settings.pattern_within_days,
        )
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)
    )
    if len(linked) < settings.pattern_min_concerns:
        return None
    key = adult_key(about)
    open_review = AdultPatternReview.objects.filter(
        school=concern.school_id, adult_key=key, reviewed_at__isnull=True
    ).first()
    if open_review is not None:
        open_review.concerns.add(concern)
        return None
    review = AdultPatternReview(
        school_id=concern.school_id,
        adult_key=key,
        name=about.name,
        person_id=about.person_id,
    )
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:  # a simultaneous submission raised it first
        return None
    review.concerns.set(linked)
    review.process = AdultPatternFlow.start.run(review=review, concern=concern)
    review.save(update_fields=["process"])
    task = CaseTask.objects.filter(
        process=review.process, flow_task_type="HUMAN"
    ).first()
    _notify_case_manager(
        task,
        _(
            "%(count)d low-level concerns about the same adult at %(school)s in "
            "%(days)d days (latest %(ref)s): review them together."
        )
        % {
            "count": len(linked),
            "school": concern.school,
            "days": settings.pattern_within_days,
            "ref": concern.reference,
        },
    )
    return review


def adult_pattern_review_complete(
    *, task: CaseTask, user: User, conclusion: str
) -> AdultPatternReview:
    def write(process: CaseProcess) -> AdultPatternReview:
        review = AdultPatternReview.objects.select_for_update().get(process=process)
        try:
            _rationale_of(conclusion)
        except ValidationError as error:
            raise ValidationError({"conclusion": error.messages}) from error
        review.conclusion = conclusion
        review.reviewed_by = user
        review.reviewed_at = timezone.now()
        review.save()
        return review

    return step_complete(task, user, write)


def adult_case_settings_save(
    *,
    school_id: int,
    pattern_min_concerns: int,
    pattern_within_days: int,
    normal_pension_age: int,
) -> AdultCaseSettings:
    settings = AdultCaseSettings.for_school(school_id)
    settings.pattern_min_concerns = pattern_min_concerns
    settings.pattern_within_days = pattern_within_days
    settings.normal_pension_age = normal_pension_age
    settings.full_clean()
    settings.save()
    return settings
