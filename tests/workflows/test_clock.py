"""The working-day clock: when reminders, chases and escalations go out, and when a
task shows "Overdue", across weekends, half terms, bank holidays, INSET days and
both clock changes. Time is faked: `clock` moves timezone.now, and each sweep is
given the moment it runs at.

The school's 2026 calendar (synthetic): spring term to 2 April, summer term from
20 April, autumn term 2 September to 23 October and 2 November to 18 December
(half term 26 to 30 October); an INSET day on Monday 2 November; bank holidays on
4 May, 25 December and 28 December. British Summer Time ends on Sunday 25 October
and begins on Sunday 29 March.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import ClosureKind, SchoolClosureDay, SchoolTerm
from api.selectors import task_counts
from workflows import services
from workflows.clock import Clock
from workflows.models import CaseTask, Notification
from workflows.selectors import my_tasks, overdue

from ..builders import decide, open_task, respond, triage

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")


def at(day, hour=12, minute=0):
    """A moment in London time (the school's), DST included."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def calendar(school):
    for first, last in (
        (date(2026, 1, 5), date(2026, 4, 2)),
        (date(2026, 4, 20), date(2026, 7, 22)),
        (date(2026, 9, 2), date(2026, 10, 23)),
        (date(2026, 11, 2), date(2026, 12, 18)),
    ):
        SchoolTerm.objects.create(
            school=school, name=f"Term from {first}", starts_on=first, ends_on=last
        )
    for day, kind in (
        (date(2026, 11, 2), ClosureKind.INSET),
        (date(2026, 5, 4), ClosureKind.BANK_HOLIDAY),
        (date(2026, 12, 25), ClosureKind.BANK_HOLIDAY),
        (date(2026, 12, 28), ClosureKind.BANK_HOLIDAY),
    ):
        SchoolClosureDay.objects.create(school=school, date=day, kind=kind)
    return school


@pytest.fixture
def clock(monkeypatch):
    """clock(moment): from now on, it is that moment (timezone.now); returns it in
    UTC, so that adding hours to it counts real hours across a clock change."""

    def set_to(moment):
        moment = moment.astimezone(UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_to


def raised_at(concern, moment):
    """The concern's triage task, its `created` set to the moment (viewflow's
    default for it does not follow the faked clock)."""
    task = open_task(concern, "triage")
    CaseTask.objects.filter(pk=task.pk).update(created=moment)
    task.refresh_from_db()
    return task


def sweep(moment):
    return services.clock_sweep(now=moment.astimezone(UTC))


def reminded(task):
    return Notification.objects.filter(task=task, kind="reminder").exists()


def escalated(task):
    return Notification.objects.filter(task=task, kind="escalation").count()


def shown_overdue(task, moment):
    """What the lists, counts and the due tag say, at that moment: the queryset
    rule and the one-task rule, which must agree."""
    tasks = CaseTask.objects.filter(pk=task.pk)
    in_query = overdue(tasks, now=moment.astimezone(UTC)).exists()
    loaded = CaseTask.objects.select_related("action").get(pk=task.pk)
    one = Clock([task.school_id], now=moment.astimezone(UTC)).is_overdue(loaded)
    assert in_query == one, (task, moment)
    return in_query


def triage_task(submit, clock, raised, due):
    """A triage task raised at `raised`, due on `due`."""
    clock(raised)
    concern = submit()
    task = open_task(concern, "triage")
    CaseTask.objects.filter(pk=task.pk).update(due_on=due)
    task.refresh_from_db()
    return task


def referral_made(submit, clock, dsl, made_on):
    """A referral to children's social care made on `made_on` (due the next working
    day), its follow-up task held by the DSL."""
    clock(at(made_on, 9))
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, agencies=("csc",))
    respond(concern, "csc", dsl, complete=False, contacted_on=made_on, method="phone")
    return open_task(concern, "follow_up")


def test_a_referral_due_on_friday_is_chased_on_monday_and_escalated_on_wednesday(
    calendar, submit, clock, dsl, head
):
    task = referral_made(submit, clock, dsl, date(2026, 12, 3))  # a Thursday
    assert task.due_on == date(2026, 12, 4)  # Friday
    referral = task.referral
    for moment in (
        at(date(2026, 12, 4), 17),  # the day it is due
        at(date(2026, 12, 5), 9),  # Saturday
        at(date(2026, 12, 6), 12),  # Sunday
        at(date(2026, 12, 7), 7, 59),  # Monday, before the working day
    ):
        clock(moment)
        sweep(moment)
        assert not reminded(task), moment
        assert not referral.chases.exists(), moment
        assert not shown_overdue(task, moment), moment

    monday = clock(at(date(2026, 12, 7), 8, 5))
    assert shown_overdue(task, monday)
    counts = sweep(monday)
    assert counts["reminded"] == 1 and counts["chased"] == 1
    chase = referral.chases.get()
    assert chase.due_on == date(2026, 12, 8)  # a working day to chase: Tuesday
    chase_task = CaseTask.objects.get(action=chase, flow_task_type="HUMAN")
    assert not shown_overdue(chase_task, monday)

    # Tuesday, the day the chase is due: the head is not told.
    for moment in (at(date(2026, 12, 8), 8), at(date(2026, 12, 8), 18)):
        clock(moment)
        sweep(moment)
        assert escalated(task) == 0, moment
    # Wednesday 08:00: the chase is late too; the head is told, once.
    wednesday = clock(at(date(2026, 12, 9), 8))
    sweep(wednesday)
    sweep(wednesday + timedelta(hours=1))
    assert escalated(task) == 1
    assert shown_overdue(chase_task, wednesday)
    assert reminded(chase_task)


def test_agencies_work_through_half_term_and_across_the_clock_change(
    calendar, submit, clock, dsl, head
):
    """Due Friday 23 October, the last day before half term; the clocks go back on
    Sunday 25th. Agencies work in half term: chased on Monday 26th from 08:00 GMT
    (not 08:00 BST, an hour earlier)."""
    task = referral_made(submit, clock, dsl, date(2026, 10, 22))
    assert task.due_on == date(2026, 10, 23)
    early = clock(datetime(2026, 10, 26, 7, 30, tzinfo=UTC))  # 07:30 GMT
    sweep(early)
    assert not reminded(task) and not shown_overdue(task, early)
    eight = clock(datetime(2026, 10, 26, 8, 0, tzinfo=UTC))  # 08:00 GMT
    assert sweep(eight)["chased"] == 1
    assert task.referral.chases.get().due_on == date(2026, 10, 27)
    sweep(clock(at(date(2026, 10, 27), 12)))
    assert escalated(task) == 0
    sweep(clock(at(date(2026, 10, 28), 8)))
    assert escalated(task) == 1


def test_a_task_due_before_half_term_waits_for_the_first_school_day_back(
    calendar, submit, clock, dsl, head
):
    """Due Friday 23 October; half term, then an INSET day on Monday 2 November:
    the first school day back is Tuesday 3 November, in GMT by then."""
    task = triage_task(submit, clock, at(date(2026, 10, 21), 10), date(2026, 10, 23))
    day = date(2026, 10, 24)
    while day <= date(2026, 11, 2):
        for hour in (8, 12, 23):
            moment = clock(at(day, hour))
            sweep(moment)
            assert not shown_overdue(task, moment), moment
        day += timedelta(days=1)
    assert not reminded(task)
    early = clock(datetime(2026, 11, 3, 7, 30, tzinfo=UTC))  # 07:30 GMT
    sweep(early)
    assert not reminded(task) and not shown_overdue(task, early)
    back = clock(at(date(2026, 11, 3), 8))
    assert shown_overdue(task, back)
    assert sweep(back)["reminded"] == 1
    sweep(clock(at(date(2026, 11, 3), 17)))
    assert escalated(task) == 0
    sweep(clock(at(date(2026, 11, 4), 8)))
    assert escalated(task) == 1


def test_the_clock_starts_at_eight_in_summer_time_too(calendar, submit, clock, dsl):
    """Due Friday 27 March; British Summer Time from Sunday 29th: Monday's working
    day begins at 07:00 UTC."""
    task = triage_task(submit, clock, at(date(2026, 3, 25), 10), date(2026, 3, 27))
    for moment in (
        at(date(2026, 3, 28), 10),
        at(date(2026, 3, 29), 10),
        datetime(2026, 3, 30, 6, 59, tzinfo=UTC),  # 07:59 BST
    ):
        sweep(clock(moment))
        assert not reminded(task) and not shown_overdue(task, moment), moment
    eight = clock(datetime(2026, 3, 30, 7, 0, tzinfo=UTC))  # 08:00 BST
    assert shown_overdue(task, eight)
    assert sweep(eight)["reminded"] == 1


def test_a_bank_holiday_is_not_a_school_day_or_a_working_day(
    calendar, submit, clock, dsl
):
    school_task = triage_task(
        submit, clock, at(date(2026, 4, 28), 10), date(2026, 5, 1)
    )  # due Friday 1 May; Monday 4 May is a bank holiday
    sweep(clock(at(date(2026, 5, 4), 12)))
    assert not reminded(school_task)
    sweep(clock(at(date(2026, 5, 5), 8)))
    assert reminded(school_task)

    # A referral due Christmas Eve: Christmas Day and the 28th are bank
    # holidays, the rest of the school holiday are working days.
    follow_up = referral_made(submit, clock, dsl, date(2026, 12, 23))
    assert follow_up.due_on == date(2026, 12, 24)
    for day in (25, 26, 27, 28):
        sweep(clock(at(date(2026, 12, day), 12)))
        assert not reminded(follow_up), day
    sweep(clock(at(date(2026, 12, 29), 8)))
    assert reminded(follow_up)
    assert follow_up.referral.chases.get().due_on == date(2026, 12, 30)


@pytest.mark.parametrize(
    "raised",
    [
        at(date(2026, 12, 3), 23, 45),  # Thursday night
        at(date(2026, 12, 5), 23, 45),  # Saturday night
        at(date(2026, 12, 12), 10, 0),  # Saturday morning
    ],
    ids=["23:45-thursday", "23:45-saturday", "saturday-morning"],
)
def test_an_urgent_task_goes_by_the_hour_day_and_night(
    calendar, submit, clock, dsl, head, raised
):
    raised = clock(raised)
    task = raised_at(submit(immediate_risk=True), raised)
    assert task.urgent
    after_midnight = clock(raised + timedelta(minutes=30))
    assert not shown_overdue(task, after_midnight)  # not late because a day passed
    assert sweep(after_midnight)["reminded"] == 0
    hour = clock(raised + timedelta(minutes=61))
    assert shown_overdue(task, hour)
    assert sweep(hour)["reminded"] == 1  # weekend or night: the team is told
    sweep(clock(raised + timedelta(minutes=100)))
    assert escalated(task) == 0
    sweep(clock(raised + timedelta(minutes=121)))
    assert escalated(task) == 1  # the head, without waiting for Monday


def test_an_urgent_task_across_the_autumn_clock_change_counts_real_hours(
    calendar, submit, clock, dsl, head
):
    """Raised 00:30 BST on Sunday 25 October; at 02:00 BST the clocks go back to
    01:00 GMT. Two real hours later it is 01:30 GMT, not 02:30."""
    raised = clock(datetime(2026, 10, 25, 0, 30, tzinfo=LONDON))
    task = raised_at(submit(immediate_risk=True), raised)
    hour = clock(raised + timedelta(minutes=61))  # 01:31 BST, still the 25th
    assert shown_overdue(task, hour)
    assert sweep(hour)["reminded"] == 1
    sweep(clock(datetime(2026, 10, 25, 1, 29, tzinfo=UTC)))  # 01:29 GMT
    assert escalated(task) == 0
    later = clock(raised + timedelta(hours=2, minutes=1))
    assert later.astimezone(LONDON).hour == 1
    sweep(later)
    assert escalated(task) == 1


def test_lists_counts_and_the_dashboard_show_overdue_as_the_sweep_acts(
    calendar, submit, clock, dsl, head, verified_client
):
    """On Saturday 5 December: a task due Thursday is overdue (the sweep reminded
    on Friday morning), one due Friday is not (it will be on Monday at 08:00), nor
    an urgent one raised 30 minutes ago, nor one raised after 23:00 yesterday."""
    late = triage_task(submit, clock, at(date(2026, 12, 1), 10), date(2026, 12, 3))
    friday = triage_task(submit, clock, at(date(2026, 12, 2), 10), date(2026, 12, 4))
    for task in (late, friday):
        services.task_claim(task=task, user=dsl)
    sweep(clock(at(date(2026, 12, 4), 8, 30)))
    assert reminded(late) and not reminded(friday)

    saturday = clock(at(date(2026, 12, 5), 10))
    urgent = raised_at(
        submit(immediate_risk=True), clock(saturday - timedelta(minutes=30))
    )
    services.task_claim(task=urgent, user=dsl)
    clock(saturday)
    assert sweep(saturday)["reminded"] == 0
    assert list(overdue(my_tasks(dsl))) == [late]
    assert task_counts(dsl)["my_tasks_overdue"] == 1  # the API's and the menu's

    client = verified_client(dsl)
    page = client.get("/admin/casework/my-tasks/").content.decode()
    assert page.count("casework-tag--overdue") == 1
    only = client.get("/admin/casework/my-tasks/?overdue=on").content.decode()
    assert late.concern.reference in only
    assert friday.concern.reference not in only
    assert urgent.concern.reference not in only
    task_page = client.get(f"/admin/casework/tasks/{friday.pk}/").content.decode()
    assert "casework-tag--overdue" not in task_page
    dashboard = client.get("/admin/").content.decode()
    assert "1 overdue" in dashboard

    status = verified_client(head).get("/admin/casework/status/").content.decode()
    assert "data-overdue-total>1<" in status

    assert sweep(clock(saturday + timedelta(minutes=31)))["reminded"] == 1  # urgent
    monday = clock(at(date(2026, 12, 7), 8))
    assert set(overdue(my_tasks(dsl))) == {late, friday, urgent}
    assert sweep(monday)["reminded"] == 1  # Friday's task
    page = verified_client(dsl).get("/admin/casework/my-tasks/").content.decode()
    assert page.count("casework-tag--overdue") == 3


def test_a_chase_action_is_late_on_working_days_like_its_referral(
    calendar, submit, clock, dsl
):
    """A chase raised on the Monday of half term is due on Tuesday, a working day
    though not a school day, and late at 08:00 on Wednesday."""
    task = referral_made(submit, clock, dsl, date(2026, 10, 22))
    sweep(clock(at(date(2026, 10, 26), 9)))
    chase_task = CaseTask.objects.get(
        action__referral=task.referral, flow_task_type="HUMAN"
    )
    assert chase_task.due_on == date(2026, 10, 27)
    assert not shown_overdue(chase_task, at(date(2026, 10, 27), 12))
    assert not shown_overdue(chase_task, at(date(2026, 10, 28), 7, 30))
    assert shown_overdue(chase_task, at(date(2026, 10, 28), 8))
    sweep(clock(at(date(2026, 10, 28), 8)))
    assert reminded(chase_task)


def test_workflow_health_counts_a_referral_overdue_when_the_sweep_chases_it(
    calendar, submit, clock, dsl
):
    from records.models import Concern
    from reports.health import agency_responses
    from workflows.status import Period

    task = referral_made(submit, clock, dsl, date(2026, 12, 3))  # due Friday
    period = Period(start=date(2026, 12, 1), end=date(2026, 12, 3))

    def overdue_referrals(moment):
        (row,) = agency_responses(Concern.objects.all(), period, now=moment)
        return row["overdue"]

    saturday = clock(at(date(2026, 12, 5), 10))
    assert overdue_referrals(saturday) == 0
    assert not shown_overdue(task, saturday)
    monday = clock(at(date(2026, 12, 7), 8))
    assert overdue_referrals(monday) == 1
    assert shown_overdue(task, monday)
