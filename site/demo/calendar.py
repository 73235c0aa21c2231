"""The demo schools' calendar: a typical England school year (invented, not any
local authority's), worked out from the date, so the demo always has the current
school year and the one before.

Autumn starts on the first weekday from 2 September; half terms are the last full
week of October, the week from the Monday on or after 13 February, and the week of
the spring bank holiday; Spring 2 ends on Good Friday and Summer 1 starts a fortnight
after Easter Monday; Summer 2 ends on the last weekday on or before 21 July. The
first days of Autumn 1 and Spring 1 are training (INSET) days, and the England bank
holidays (except August's) are closure days.
"""

from datetime import date, timedelta

from dateutil.easter import easter

from accounts.models import ClosureKind

MONDAY, FRIDAY = 0, 4


def _weekday_from(day):
    while day.weekday() > FRIDAY:
        day += timedelta(days=1)
    return day


def _weekday_until(day):
    while day.weekday() > FRIDAY:
        day -= timedelta(days=1)
    return day


def _monday_from(day):
    return day + timedelta(days=(MONDAY - day.weekday()) % 7)


def _last_monday(year, month, last_day):
    day = date(year, month, last_day)
    return day - timedelta(days=(day.weekday() - MONDAY) % 7)


def _substitutes(year):
    """Christmas Day and Boxing Day, each moved to the next free weekday when it
    falls at a weekend, and New Year's Day of the year after."""
    taken, days = set(), []
    for day, name in (
        (date(year, 12, 25), "Christmas Day"),
        (date(year, 12, 26), "Boxing Day"),
    ):
        if day.weekday() > FRIDAY or day in taken:
            moved = _weekday_from(day)
            while moved in taken:
                moved = _weekday_from(moved + timedelta(days=1))
            day, name = moved, f"{name} (substitute day)"
        taken.add(day)
        days.append((day, name))
    new_year = date(year + 1, 1, 1)
    if new_year.weekday() > FRIDAY:
        days.append((_weekday_from(new_year), "New Year's Day (substitute day)"))
    else:
        days.append((new_year, "New Year's Day"))
    return days


def school_year(start):
    """The school year starting in September of `start`: (terms, closure_days),
    terms as (name, first day, last day) and closure days as (day, kind, note)."""
    end = start + 1
    october = _last_monday(start, 10, 31)
    if october + timedelta(days=4) > date(start, 10, 31):
        october -= timedelta(days=7)  # the last *full* week of October
    february = _monday_from(date(end, 2, 13))
    easter_sunday = easter(end)
    good_friday = easter_sunday - timedelta(days=2)
    easter_monday = easter_sunday + timedelta(days=1)
    may = _last_monday(end, 5, 31)
    autumn = _weekday_from(date(start, 9, 2))
    spring = _weekday_from(date(end, 1, 5))
    terms = [
        (f"Autumn 1 {start}", autumn, october - timedelta(days=3)),
        (
            f"Autumn 2 {start}",
            october + timedelta(days=7),
            _weekday_until(date(start, 12, 19)),
        ),
        (f"Spring 1 {end}", spring, february - timedelta(days=3)),
        (f"Spring 2 {end}", february + timedelta(days=7), good_friday),
        (
            f"Summer 1 {end}",
            easter_monday + timedelta(days=14),
            may - timedelta(days=3),
        ),
        (f"Summer 2 {end}", may + timedelta(days=7), _weekday_until(date(end, 7, 21))),
    ]
    inset = [
        (autumn, ClosureKind.INSET, "Training day"),
        (spring, ClosureKind.INSET, "Training day"),
    ]
    bank = [
        *_substitutes(start),
        (good_friday, "Good Friday"),
        (easter_monday, "Easter Monday"),
        (_monday_from(date(end, 5, 1)), "Early May bank holiday"),
        (may, "Spring bank holiday"),
    ]
    closures = inset + [(day, ClosureKind.BANK_HOLIDAY, name) for day, name in bank]
    return terms, closures


def current_start(today):
    """The September the school year around `today` started in (from 1 September;
    August is still the summer holiday of the year before)."""
    return today.year if today.month >= 9 else today.year - 1


def demo_calendar(today):
    """This school year and the one before, so reports can compare them."""
    start = current_start(today)
    terms, closures = [], []
    for year in (start - 1, start):
        year_terms, year_closures = school_year(year)
        terms += year_terms
        closures += year_closures
    return terms, closures
