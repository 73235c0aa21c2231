"""The school-day clock: statutory timescales counted in one school's days.

A **school day** is a weekday (Monday to Friday) inside one of the school's terms
(SchoolTerm) that is not a closure day (SchoolClosureDay: INSET, bank holiday, other).
A school with **no terms at all** counts every weekday that is not a closure day, so
clocks keep running before its DSL has entered the calendar; once one term exists, the
days outside terms are holidays.

A **working day** is a weekday that is not a bank holiday, term or not: agencies work
through the school holidays (children's social care decides on a referral within one
working day, Working Together 2023).

Every function here makes at most two queries, however long the count: the school's
terms (a handful a year, all of them, because whether there are any decides the
fallback) and its closure days from the start date on.

If a school's terms run out (none entered that far ahead), no day would ever count; once
a count has gone about two years without finding a school day, the rest is counted in
weekdays that are not closure days, and then, as a last resort, in plain weekdays.
To add a new kind of clock, count with _count_forward and a rule of your own.

The workflow clock (workflows.clock) looks backwards instead: recent_days gives, for
many schools in two queries, the last few school days and working days up to today.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .models import ClosureKind, School, SchoolClosureDay, SchoolTerm

ONE_DAY = timedelta(days=1)
GIVE_UP_AFTER = timedelta(days=2 * 366)

Rule = Callable[[date], bool]


@dataclass(frozen=True)
class _Calendar:
    terms: tuple[tuple[date, date], ...]
    closures: dict[date, str]

    def is_school_day(self, day: date) -> bool:
        if not self.is_open_weekday(day):
            return False
        return not self.terms or any(first <= day <= last for first, last in self.terms)

    def is_open_weekday(self, day: date) -> bool:
        return _is_weekday(day) and day not in self.closures

    def is_working_day(self, day: date) -> bool:
        return _is_weekday(day) and self.closures.get(day) != ClosureKind.BANK_HOLIDAY

    def school_day_rules(self) -> list[Rule]:
        return [self.is_school_day, self.is_open_weekday, _is_weekday]


def _is_weekday(day: date) -> bool:
    return day.weekday() < 5


def _load(school: School, first: date, last: date | None = None) -> _Calendar:
    """The school's terms and its closure days from `first` (to `last`): 2 queries."""
    terms = SchoolTerm.objects.filter(school=school).values_list("starts_on", "ends_on")
    closures = SchoolClosureDay.objects.filter(school=school, date__gte=first)
    if last is not None:
        closures = closures.filter(date__lte=last)
    return _Calendar(
        terms=tuple(terms), closures=dict(closures.values_list("date", "kind"))
    )


def _count_forward(start: date, n: int, rules: Sequence[Rule]) -> date:
    """The n-th day after `start` that `rules[0]` counts (n=0: `start` if it counts,
    else the next one). After GIVE_UP_AFTER without a counted day, the rest of the
    count uses the next rule; the last rule must always find a day."""
    rule, *fallbacks = rules
    if n == 0:
        if rule(start):
            return start
        n = 1
    day = last_counted = start
    while n:
        day += ONE_DAY
        if rule(day):
            n -= 1
            last_counted = day
        elif fallbacks and day - last_counted > GIVE_UP_AFTER:
            return _count_forward(last_counted, n, fallbacks)
    return day


def _check_count(n: int) -> None:
    if n < 0:
        raise ValueError("Count forwards only: n must be 0 or more.")


def is_school_day(school: School, day: date) -> bool:
    return _load(school, day, day).is_school_day(day)


def add_school_days(school: School, start: date, n: int) -> date:
    """The date n school days after `start`, which itself is not counted: 1 school day
    after Friday 23 October 2026, before a half term, is Monday 2 November. n=0 gives
    `start` if it is a school day, else the next school day."""
    _check_count(n)
    calendar = _load(school, start)
    return _count_forward(start, n, calendar.school_day_rules())


def next_school_day(school: School, day: date) -> date:
    """The first school day after `day` (Operation Encompass: "before the next school
    day")."""
    return add_school_days(school, day, 1)


def last_school_day(school: School, day: date) -> date:
    """`day` if it is a school day, else the last one before it (in 2 queries);
    `day` itself if none is found within GIVE_UP_AFTER."""
    calendar = _load(school, day - GIVE_UP_AFTER, day)
    earliest = day - GIVE_UP_AFTER
    found = day
    while found >= earliest:
        if calendar.is_school_day(found):
            return found
        found -= ONE_DAY
    return day


def add_working_days(school: School, start: date, n: int) -> date:
    """The date n working days after `start` (weekdays that are not bank holidays,
    holidays included), for agency deadlines. n=0 as in add_school_days."""
    _check_count(n)
    bank_holidays = SchoolClosureDay.objects.filter(
        school=school, kind=ClosureKind.BANK_HOLIDAY, date__gte=start
    ).values_list("date", "kind")
    calendar = _Calendar(terms=(), closures=dict(bank_holidays))
    return _count_forward(start, n, [calendar.is_working_day, _is_weekday])


def school_days_between(school: School, start: date, end: date) -> int:
    """How many school days after `start`, up to and including `end` (0 if `end` is
    not after `start`): how far a clock started on `start` has run by `end`. Unlike
    add_school_days there is no fallback past the last term entered: those days
    count as none until the DSL enters the next terms."""
    if end <= start:
        return 0
    calendar = _load(school, start + ONE_DAY, end)
    days = (start + ONE_DAY * offset for offset in range(1, (end - start).days + 1))
    return sum(1 for day in days if calendar.is_school_day(day))


RECENT = 3


@dataclass(frozen=True)
class RecentDays:
    """The last RECENT school days and working days on or before a date, newest
    first: what the workflow clock needs to say whether a task is late."""

    school: tuple[date, ...]
    working: tuple[date, ...]


def recent_days(school_ids: Iterable[int], today: date) -> dict[int, RecentDays]:
    """For each school, its last RECENT school days and working days on or before
    `today`, in two queries however many schools. School days fall back as
    add_school_days does: a school whose terms have not been entered for two years
    counts open weekdays, then plain weekdays."""
    ids = set(school_ids)
    first = today - GIVE_UP_AFTER - ONE_DAY * 7 * RECENT
    terms: dict[int, list[tuple[date, date]]] = {pk: [] for pk in ids}
    for pk, starts, ends in SchoolTerm.objects.filter(school_id__in=ids).values_list(
        "school_id", "starts_on", "ends_on"
    ):
        terms[pk].append((starts, ends))
    closures: dict[int, dict[date, str]] = {pk: {} for pk in ids}
    for pk, day, kind in SchoolClosureDay.objects.filter(
        school_id__in=ids, date__gte=first, date__lte=today
    ).values_list("school_id", "date", "kind"):
        closures[pk][day] = kind
    found = {}
    for pk in ids:
        calendar = _Calendar(terms=tuple(terms[pk]), closures=closures[pk])
        found[pk] = RecentDays(
            school=_count_back(today, calendar.school_day_rules()),
            working=_count_back(today, [calendar.is_working_day, _is_weekday]),
        )
    return found


def _count_back(today: date, rules: Sequence[Rule]) -> tuple[date, ...]:
    """The last RECENT days on or before `today` that the first rule finding them
    all within GIVE_UP_AFTER counts (the last rule always does)."""
    *strict, last = rules
    for rule in strict:
        days = _days_back(today, rule, today - GIVE_UP_AFTER)
        if len(days) == RECENT:
            return days
    return _days_back(today, last, date.min)


def _days_back(today: date, rule: Rule, earliest: date) -> tuple[date, ...]:
    days = []
    day = today
    while len(days) < RECENT and day >= earliest:
        if rule(day):
            days.append(day)
        day -= ONE_DAY
    return tuple(days)
