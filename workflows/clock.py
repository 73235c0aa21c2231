"""When a task is late: the one rule the sweep acts on and every list and count shows.

A task runs on one of three clocks:

- **urgent** (immediate risk): the hour clock, day and night, weekends included. Late
  an hour after it was raised (the team is reminded), the head told after two. A
  child at immediate risk does not wait for Monday, and a DSL would rather be woken
  than learn on Monday that a Saturday alert sat unclaimed.
- **agency** (a referral's follow-up, and the chase it raises; and every task of
  the case manager's, for concerns about adults): working days (accounts.calendar:
  weekdays that are not bank holidays, school holidays included), because agencies
  and the LADO work through the holidays.
- **school** (everything else): school days (term-time weekdays that are not
  closure days such as INSET or bank holidays).

A day-clock task is late once the school's working day has begun (WORKDAY_STARTS,
in the school's time zone, settings.TIME_ZONE) on a counted day after its due date:
due on Friday, late at 08:00 on Monday; due before a half term, late at 08:00 on
the first school day back. So reminders and escalations go out at the start of a
working day, never at midnight or on a Saturday.

The head is told (escalation) once a further counted day has begun after the
reminder; for a referral's follow-up, whose reminder raises a chase for the DSL due
the next working day, only once that chase is itself late: the DSL always has at
least one full working day to chase before anyone escalates.

Clock.overdue_q is the queryset expression every list, count, filter and the sweep
use; Clock.is_overdue is the same rule on one loaded task for a page, reading the
same per-school days (tests/workflows/test_clock.py checks the two agree).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.calendar import recent_days

# An urgent concern is due the same day: the team is reminded after an hour without
# it moving and the head told after two, whatever the date or the hour.
URGENT_REMINDER = timedelta(hours=1)
URGENT_ESCALATION = timedelta(hours=2)

# The start of the working day, local time: no reminder or escalation of a day-clock
# task is due before it.
WORKDAY_STARTS = time(8, 0)

# When a sweep is given a day and no time (tests, a manual run for a past day), it
# runs as at midday of that day.
MIDDAY = time(12, 0)

# The case manager's tasks (concerns about adults, workflows.adults) run on working
# days too: the LADO is referred to within one working day, holidays or not.
WORKING_TEAMS = ("head",)
AGENCY = (
    Q(referral__isnull=False)
    | Q(action__referral__isnull=False)
    | Q(team__in=WORKING_TEAMS)
)
SCHOOL = Q(referral__isnull=True, action__referral__isnull=True) & ~Q(
    team__in=WORKING_TEAMS
)


def moment(*, today: date | None = None, now: datetime | None = None):
    """(today, now) for a clock: from either, or the present. A day alone is taken
    at midday, when the working day has begun."""
    if now is None:
        if today is None:
            now = timezone.now()
        else:
            now = timezone.make_aware(datetime.combine(today, MIDDAY))
    if today is None:
        today = timezone.localdate(now)
    return today, now


@dataclass(frozen=True)
class _Begun:
    """A school's counted days that have begun by now, newest first."""

    school: tuple[date, ...]
    working: tuple[date, ...]


class Clock:
    """The clocks of some schools at one moment."""

    def __init__(self, school_ids: Iterable[int], *, today=None, now=None):
        self.today, self.now = moment(today=today, now=now)
        self._begun: dict[int, _Begun] = {}
        self.load(school_ids)

    def load(self, school_ids: Iterable[int]) -> None:
        """Read the calendars of schools not read yet (two queries)."""
        missing = {pk for pk in school_ids if pk not in self._begun}
        if not missing:
            return
        started = timezone.localtime(self.now).time() >= WORKDAY_STARTS
        for pk, days in recent_days(missing, self.today).items():
            self._begun[pk] = _Begun(
                school=self._started(days.school, started),
                working=self._started(days.working, started),
            )

    def _started(self, days, started):
        """Today counts only once the working day has begun."""
        if days and days[0] == self.today and not started:
            return days[1:]
        return days

    def _per_day(self, clock: str, index: int) -> dict[date, list[int]]:
        schools = defaultdict(list)
        for pk, begun in self._begun.items():
            days = getattr(begun, clock)
            if len(days) > index:
                schools[days[index]].append(pk)
        return schools

    def passed_q(self, field, *, clock="school", index=0, school="school_id") -> Q:
        """Rows whose `field` (a date) is before the index-th counted day of that
        clock ("school" or "working") begun at their school (`school`: the path to
        its id)."""
        query = Q(pk__in=[])
        for day, schools in self._per_day(clock, index).items():
            query |= Q(**{f"{school}__in": schools, f"{field}__lt": day})
        return query

    def _before(self, field, clock, index, also) -> Q:
        """Day-clock tasks whose `field` is before the index-th counted day begun."""
        return Q(urgent=False) & self.passed_q(field, clock=clock, index=index) & also

    def overdue_q(self) -> Q:
        """Open tasks that are late: the sweep reminds about exactly these, and every
        list and count marks them overdue."""
        return (
            Q(urgent=True, created__lte=self.now - URGENT_REMINDER)
            | self._before("due_on", "school", 0, SCHOOL)
            | self._before("due_on", "working", 0, AGENCY)
        )

    def escalation_q(self) -> Q:
        """Reminded tasks the head is now told about."""
        return Q(reminded_on__isnull=False) & (
            Q(urgent=True, created__lte=self.now - URGENT_ESCALATION)
            | self._before("reminded_on", "school", 0, SCHOOL)
            # a chase (raised with the reminder) is due the next working day: the
            # head hears only once that day has passed too
            | self._before("reminded_on", "working", 1, Q(referral__isnull=False))
            | self._before(
                "reminded_on",
                "working",
                0,
                Q(referral__isnull=True, action__referral__isnull=False),
            )
            | self._before(
                "reminded_on",
                "working",
                0,
                Q(team__in=WORKING_TEAMS, referral__isnull=True)
                & Q(action__referral__isnull=True),
            )
        )

    def _days(self, task) -> tuple[date, ...]:
        self.load([task.school_id])
        begun = self._begun[task.school_id]
        return begun.working if is_agency(task) else begun.school

    def is_overdue(self, task) -> bool:
        """overdue_q for one loaded task, from the same days (no query once the
        task's school is loaded, beyond its action's)."""
        if task.urgent:
            return task.created <= self.now - URGENT_REMINDER
        if task.due_on is None:
            return False
        days = self._days(task)
        return bool(days) and task.due_on < days[0]

    def is_running(self, task) -> bool:
        """Whether the task's clock runs now: always for an urgent task, else on a
        counted day once the working day has begun. A sweep that missed the start
        of a working day (the server was down) waits for the next one rather than
        reminding on a Saturday."""
        if task.urgent:
            return True
        days = self._days(task)
        return bool(days) and days[0] == self.today


def is_agency(task) -> bool:
    """Whether the task runs on working days (see AGENCY)."""
    return (
        bool(task.referral_id)
        or getattr(task, "team", None) in WORKING_TEAMS
        or bool(task.action_id and task.action.referral_id)
    )


def for_tasks(queryset, *, today=None, now=None) -> Clock:
    """The clock of the schools a queryset of tasks belongs to (three queries)."""
    schools = queryset.order_by().values_list("school_id", flat=True).distinct()
    return Clock(set(schools), today=today, now=now)
