"""An allegation about an adult (KCSIE Part 4): the case manager's case, from the
LADO referral due within one working day to the outcome and its retention."""

from datetime import date

import pytest
from auditlog import get_logentry_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import ClosureKind, Role, SchoolClosureDay
from records.models import Concern
from workflows import services
from workflows.adults import services as adult_services
from workflows.adults.models import (
    AdultCase,
    EmployerAction,
    LadoAdvice,
    LadoReferral,
    StrategyDiscussion,
)
from workflows.clock import Clock
from workflows.models import CaseTask, Notification
from workflows.selectors import team_queue

from ..builders import open_steps, open_task
from .adults_helpers import (
    RATIONALE,
    act,
    advise,
    at,
    claim,
    conclude,
    refer,
    report_about_adult,
    strategise,
)

TASK_URL = "/admin/casework/tasks/{}/"
LogEntry = get_logentry_model()


@pytest.fixture
def now(monkeypatch):
    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_to


@pytest.fixture
def teacher(make_member):
    return make_member(Role.STAFF, first_name="Tom", last_name="Teacher")


# Opening the case -------------------------------------------------------------------


def test_an_allegation_opens_a_case_for_the_head_not_the_dsl_team(
    staff, head, dsl, teacher
):
    concern = report_about_adult(staff, person=teacher)
    case = AdultCase.objects.get(concern=concern)
    assert case.is_allegation
    # The case manager's process, not the DSL team's triage.
    assert open_steps(concern) == ["refer_lado"]
    task = open_task(concern, "refer_lado")
    assert task.team == "head"
    assert list(team_queue(head)) == [task]
    assert not team_queue(dsl).exists()
    told = Notification.objects.filter(task=task)
    assert [n.user for n in told] == [head]
    assert "refer it to the LADO by" in told[0].message


@pytest.mark.parametrize(
    ("reported", "due"),
    [
        # Friday afternoon: the next working day is Monday.
        (at(date(2026, 12, 4), 15), date(2026, 12, 7)),
        # School holidays count (the LADO works through them); Christmas Day and
        # the substitute bank holiday do not.
        (at(date(2026, 12, 24), 10), date(2026, 12, 29)),
        (at(date(2026, 12, 21), 10), date(2026, 12, 22)),
    ],
)
def test_the_lado_referral_is_due_within_one_working_day(
    now, staff, head, school, reported, due
):
    for day in (date(2026, 12, 25), date(2026, 12, 28)):
        SchoolClosureDay.objects.create(
            school=school, date=day, kind=ClosureKind.BANK_HOLIDAY
        )
    now(reported)
    concern = report_about_adult(staff, school=school)
    assert open_task(concern, "refer_lado").due_on == due


def test_a_late_referral_shows_overdue_on_the_working_day_clock(now, staff, school):
    # Reported in the Christmas holidays: a school-day clock would wait for term.
    now(at(date(2026, 12, 21), 10))
    task = open_task(report_about_adult(staff, school=school), "refer_lado")
    loaded = CaseTask.objects.get(pk=task.pk)
    assert not Clock([school.pk], now=at(date(2026, 12, 22), 12)).is_overdue(loaded)
    later = Clock([school.pk], now=at(date(2026, 12, 23), 9))
    assert later.is_overdue(loaded)
    assert CaseTask.objects.filter(later.overdue_q(), pk=task.pk).exists()


# Who works it ------------------------------------------------------------------------


def test_the_named_adult_never_takes_the_case_even_as_a_dsl(staff, head, make_member):
    # A concern naming a head goes to the chair or the trust's lead instead
    # (tests/records/test_adults_routing.py); a DSL named stays with the head.
    other_head = make_member(Role.DSL, first_name="Hana", last_name="Dsl")
    concern = report_about_adult(staff, person=other_head)
    task = open_task(concern, "refer_lado")
    assert not task.flow_task.can_assign(other_head, task)
    assert task.flow_task.can_assign(head, task)
    told = {n.user for n in Notification.objects.filter(task=task)}
    assert told == {head}
    with pytest.raises(services.TaskConflict):
        services.task_claim(task=task, user=other_head)


# Each step ---------------------------------------------------------------------------


def test_each_step_is_a_record_with_its_audit_and_the_outcome_closes_it(staff, head):
    concern = report_about_adult(staff)
    referral = refer(concern, head)
    assert Concern.objects.get(pk=concern.pk).status == Concern.Status.IN_PROGRESS
    assert referral.due_on == open_task_due(concern, referral)
    advise(concern, head)
    strategise(concern, head)
    act(concern, head)
    case = conclude(concern, head, outcome="unsubstantiated")
    assert case.outcome == "unsubstantiated" and case.outcome_rationale == RATIONALE
    assert Concern.objects.get(pk=concern.pk).status == Concern.Status.CLOSED
    assert open_steps(concern) == []
    for model in (LadoReferral, LadoAdvice, StrategyDiscussion, EmployerAction):
        record = model.objects.get(case=case)
        assert record.recorded_by == head
        assert LogEntry.objects.get_for_object(record).filter(action=0).exists()
    assert LogEntry.objects.get_for_object(case).count() >= 2


def open_task_due(concern, referral):
    return CaseTask.objects.get(
        concern=concern, flow_task=referral.case.process.flow_class.refer_lado
    ).due_on


def test_a_referral_after_its_due_date_needs_the_reason(now, staff, head, school):
    now(at(date(2026, 12, 4), 15))
    concern = report_about_adult(staff, school=school)
    now(at(date(2026, 12, 9), 9))
    with pytest.raises(ValidationError) as late:
        refer(concern, head, referred_on=date(2026, 12, 8))
    assert "late_reason" in late.value.message_dict
    assert not LadoReferral.objects.exists()
    assert open_steps(concern) == ["refer_lado"]
    referral = adult_services.lado_referral_complete(
        task=open_task(concern, "refer_lado"),
        user=head,
        referred_on=date(2026, 12, 8),
        lado_name="Pat LADO",
        method="phone",
        summary="The allegation as reported.",
        late_reason="The LADO's line was closed for training on Monday.",
    )
    assert referral.due_on == date(2026, 12, 7)


def test_the_advice_needs_its_reasons_and_a_strategy_discussion_its_details(
    staff, head
):
    concern = report_about_adult(staff)
    refer(concern, head)
    with pytest.raises(ValidationError) as bare:
        advise(concern, head, reasons="NFA")
    assert "reasons" in bare.value.message_dict
    advise(concern, head)
    with pytest.raises(ValidationError) as missing:
        strategise(concern, head, held_on=None, attendees="")
    assert {"held_on", "attendees"} <= set(missing.value.message_dict)
    discussion = strategise(
        concern,
        head,
        held=False,
        decisions="The LADO advised the employer investigates: police and social "
        "care have no role, so no strategy discussion was needed.",
    )
    assert discussion.held_on is None


def test_suspension_considered_needs_the_why(staff, head):
    concern = report_about_adult(staff)
    refer(concern, head)
    advise(concern, head)
    strategise(concern, head)
    with pytest.raises(ValidationError) as bare:
        act(concern, head, suspended=True, suspension_reasons="n/a")
    assert "suspension_reasons" in bare.value.message_dict
    assert act(concern, head, suspended=True).suspended


def test_the_outcome_needs_one_of_five_and_its_rationale(staff, head):
    concern = report_about_adult(staff)
    refer(concern, head)
    advise(concern, head)
    strategise(concern, head)
    act(concern, head)
    with pytest.raises(ValidationError) as bare:
        conclude(concern, head, rationale="Unfounded.")
    assert "rationale" in bare.value.message_dict
    with pytest.raises(ValidationError) as odd:
        conclude(concern, head, outcome="proven")
    assert "outcome" in odd.value.message_dict
    assert AdultCase.objects.get(concern=concern).outcome == ""
    assert open_steps(concern) == ["outcome"]


def test_a_double_submit_makes_one_record(staff, head):
    concern = report_about_adult(staff)
    task = claim(concern, "refer_lado", head)
    fields = {
        "referred_on": timezone.localdate(),
        "lado_name": "Pat LADO",
        "method": "phone",
        "summary": "The allegation as reported.",
    }
    adult_services.lado_referral_complete(task=task, user=head, **fields)
    with pytest.raises(services.TaskConflict):
        adult_services.lado_referral_complete(task=task, user=head, **fields)
    assert LadoReferral.objects.count() == 1


# Retention by outcome ----------------------------------------------------------------


def test_kept_outcomes_until_pension_age_or_ten_years_whichever_is_later(
    now, staff, head, school
):
    now(at(date(2026, 3, 2), 10))
    young = report_about_adult(staff, school=school)
    old = report_about_adult(staff, school=school)
    for concern in (young, old):
        refer(concern, head)
        advise(concern, head)
        strategise(concern, head)
        act(concern, head)
    # Without a date of birth: 10 years from the allegation.
    assert conclude(young, head, outcome="unfounded").retain_until == date(2036, 3, 2)
    # Born 1990: pension age (67, the school's default) in 2057, later than 2036.
    case = conclude(old, head, date_of_birth=date(1990, 6, 15))
    assert case.retain_until == date(2057, 6, 15)
    assert case.removed_from_personnel_at is None


@pytest.mark.parametrize("outcome", ["false", "malicious"])
def test_false_and_malicious_are_removed_from_personnel_records(staff, head, outcome):
    concern = report_about_adult(staff)
    refer(concern, head)
    advise(concern, head)
    strategise(concern, head)
    act(concern, head)
    case = conclude(concern, head, outcome=outcome)
    assert case.retain_until is None
    assert case.removed_from_personnel_at is not None


def test_retention_date_rule():
    rule = adult_services.retention_date
    on = date(2026, 1, 10)
    assert rule(
        outcome="substantiated", allegation_on=on, date_of_birth=None, pension_age=67
    ) == date(2036, 1, 10)
    # Pension age sooner than 10 years: 10 years wins.
    assert rule(
        outcome="substantiated",
        allegation_on=on,
        date_of_birth=date(1963, 5, 1),
        pension_age=67,
    ) == date(2036, 1, 10)
    assert (
        rule(outcome="malicious", allegation_on=on, date_of_birth=None, pension_age=67)
        is None
    )


# The task page -----------------------------------------------------------------------


def test_the_outcome_page_keeps_what_was_typed_when_the_rationale_is_missing(
    staff, head, verified_client
):
    concern = report_about_adult(staff)
    refer(concern, head)
    advise(concern, head)
    strategise(concern, head)
    act(concern, head)
    task = claim(concern, "outcome", head)
    client = verified_client(head)
    page = client.get(TASK_URL.format(task.pk))
    assert b"Outcome of the allegation" in page.content
    assert b"Pat LADO" in page.content  # the case so far
    response = client.post(
        TASK_URL.format(task.pk),
        {"outcome": "unsubstantiated", "rationale": "", "date_of_birth": "1980-02-03"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was saved" in body
    assert 'value="unsubstantiated" checked' in body.replace("\n", " ") or (
        'value="unsubstantiated"' in body and "checked" in body
    )
    assert 'value="1980-02-03"' in body
    assert AdultCase.objects.get(concern=concern).outcome == ""
    done = client.post(
        TASK_URL.format(task.pk),
        {"outcome": "unsubstantiated", "rationale": RATIONALE, "date_of_birth": ""},
        follow=True,
    )
    assert b"Outcome recorded" in done.content
    assert AdultCase.objects.get(concern=concern).outcome == "unsubstantiated"


def test_after_each_step_the_head_holds_the_next(staff, head, verified_client):
    concern = report_about_adult(staff)
    task = claim(concern, "refer_lado", head)
    response = verified_client(head).post(
        TASK_URL.format(task.pk),
        {
            "referred_on": timezone.localdate().isoformat(),
            "lado_name": "Pat LADO",
            "method": "phone",
            "summary": "The allegation as reported.",
        },
    )
    advice = open_task(concern, "lado_advice")
    assert response.url == TASK_URL.format(advice.pk)
    assert advice.owner == head


def test_reminders_and_escalations_never_reach_the_named_adult(
    now, staff, head, make_member, school
):
    named_head = make_member(Role.DSL, first_name="Hana", last_name="Dsl")
    now(at(date(2026, 12, 4), 15))
    concern = report_about_adult(staff, school=school, person=named_head)
    task = open_task(concern, "refer_lado")
    later = at(date(2026, 12, 9), 10)
    now(later)
    services.clock_sweep(now=later)
    services.clock_sweep(now=at(date(2026, 12, 10), 10))
    kinds = set(
        Notification.objects.filter(task=task, user=head).values_list("kind", flat=True)
    )
    assert {"reminder", "escalation"} <= kinds
    assert not Notification.objects.filter(user=named_head).exists()
