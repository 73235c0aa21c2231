"""Bank holidays from data, not typing: each school's calendar filled with its
region's bank holidays (England and Wales, Scotland, Northern Ireland) from the
maintained `holidays` package, which follows each year's proclamations (moved and
extra days included).

Filling is re-runnable and never overwrites: a date that already has a closure day
(a bank holiday the DSL entered or edited, an INSET day) is left exactly as it is,
and only weekdays are added (a holiday on a Saturday is followed by its
substitute day, which the data names). A DSL can still remove or change any day
afterwards; filling that year again would add a removed day back, so it is done on
request (the calendar page's button, `manage.py bank_holidays_fill`), never on a
timer.
"""

from dataclasses import dataclass
from datetime import date

import holidays
from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import BankHolidayRegion, ClosureKind, School, SchoolClosureDay, User
from .selectors import calendar_schools
from .signals import calendar_changed

# Region -> the `holidays` package's UK subdivision. England and Wales share their
# bank holidays; the package's "ENG" and "WLS" give the same days.
SUBDIVISIONS = {
    BankHolidayRegion.ENGLAND_AND_WALES: "ENG",
    BankHolidayRegion.SCOTLAND: "SCT",
    BankHolidayRegion.NORTHERN_IRELAND: "NIR",
}


@dataclass(frozen=True)
class FillResult:
    added: list  # SchoolClosureDays made
    kept: list  # dates that had a closure day already, left as they were


def bank_holidays_of(region: str, years: list[int]) -> dict[date, str]:
    """{date: name} of the region's bank holidays on weekdays in those years."""
    days = holidays.country_holidays(
        "GB", subdiv=SUBDIVISIONS[BankHolidayRegion(region)], years=years
    )
    return {day: name for day, name in sorted(days.items()) if day.weekday() < 5}


def default_years() -> list[int]:
    this_year = timezone.localdate().year
    return [this_year, this_year + 1]


@transaction.atomic
def bank_holidays_fill(
    *, school: School, years: list[int], user: User | None
) -> FillResult:
    """Add the school's region's bank holidays for `years` to its calendar, leaving
    every date that has a closure day already as it is. `user` None is the
    command (a system administrator on the server); a user must keep the school's
    calendar."""
    if user is not None and not calendar_schools(user).filter(pk=school.pk).exists():
        raise PermissionDenied
    School.objects.select_for_update().filter(pk=school.pk).first()
    wanted = bank_holidays_of(school.region, years)
    existing = set(
        SchoolClosureDay.objects.filter(school=school, date__in=wanted).values_list(
            "date", flat=True
        )
    )
    added = []
    for day, name in wanted.items():
        if day in existing:
            continue
        closure_day = SchoolClosureDay(
            school=school, date=day, kind=ClosureKind.BANK_HOLIDAY, note=name[:200]
        )
        closure_day.full_clean()
        closure_day.save()
        added.append(closure_day)
    if added:
        calendar_changed.send(sender=School, school=school)
    return FillResult(added=added, kept=sorted(existing))


@transaction.atomic
def school_region_set(*, school: School, region: str, user: User) -> School:
    if not calendar_schools(user).filter(pk=school.pk).exists():
        raise PermissionDenied
    school.region = BankHolidayRegion(region)
    school.full_clean()
    school.save(update_fields=["region"])
    return school


class BankHolidaysForm(forms.Form):
    """The calendar page's "add bank holidays": the region, and which year."""

    region = forms.ChoiceField(
        label=_("Bank holidays of"), choices=BankHolidayRegion.choices
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        years = range(this_year - 1, this_year + 3)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.fields["year"].initial = this_year
