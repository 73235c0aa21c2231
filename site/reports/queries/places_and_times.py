"""Where and when: locations, schools, weekdays and hours of the incidents."""

from django.db.models import F
from django.db.models.functions import ExtractWeekDay
from django.utils.translation import gettext_lazy as _

from accounts.models import School
from taxonomy.models import Term

from .base import NOT_RECORDED, WEEKDAYS, Row, Section, counted, rows_of
from .counters import Dimension


@counted
def locations(counter, params):
    grouped = counter.rows(
        Dimension.LOCATION, lambda c: {"place": c.key(Dimension.LOCATION)}
    )
    names = dict(
        Term.objects.filter(pk__in=[row["place"] for row in grouped]).values_list(
            "pk", "name"
        )
    )
    grouped.sort(key=lambda row: (-row["current"], names.get(row["place"]) or ""))
    return Section(
        key="location",
        title=_("Where"),
        rows=rows_of(
            grouped,
            lambda row: names.get(row["place"]) or str(NOT_RECORDED),
        ),
    )


@counted
def schools(counter, params):
    grouped = counter.rows(Dimension.ALL, lambda c: {"school_pk": F(c.school)})
    names = {school.pk: school.name for school in params.schools}
    missing = [row["school_pk"] for row in grouped if row["school_pk"] not in names]
    names.update(School.objects.filter(pk__in=missing).values_list("pk", "name"))
    grouped.sort(key=lambda row: names[row["school_pk"]])
    return Section(
        key="school",
        title=_("By school"),
        rows=rows_of(grouped, lambda row: names[row["school_pk"]]),
    )


@counted
def weekdays(counter, params):
    counts = {
        row["weekday"]: row
        for row in counter.rows(
            Dimension.ALL, lambda c: {"weekday": ExtractWeekDay(c.day)}
        )
    }
    rows = [
        Row(
            label=str(name),
            current=counts.get(day, {}).get("current", 0),
            previous=counts.get(day, {}).get("previous", 0),
        )
        for day, name in WEEKDAYS.items()
    ]
    return Section(key="weekday", title=_("By day of the week"), rows=rows)


@counted
def hours(counter, params):
    grouped = counter.rows(Dimension.HOUR, lambda c: {"hour": c.key(Dimension.HOUR)})
    grouped.sort(key=lambda row: (row["hour"] is None, row["hour"] or 0))
    return Section(
        key="hour",
        title=_("By time of day"),
        rows=rows_of(
            grouped,
            lambda row: (
                str(NOT_RECORDED)
                if row["hour"] is None
                else f"{row['hour']:02d}:00–{row['hour']:02d}:59"
            ),
        ),
    )
