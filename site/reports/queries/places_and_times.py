"""Where and when: locations, schools, weekdays and hours of the incidents."""

from django.db.models import F
from django.db.models.functions import ExtractHour, ExtractWeekDay
from django.utils.translation import gettext_lazy as _

from .base import NOT_RECORDED, WEEKDAYS, Row, Section, both_periods, rows_of


def locations(concerns, params):
    grouped = (
        concerns.values("location_id", name=F("location__name"))
        .annotate(**both_periods(params))
        .order_by("-current", "name")
    )
    return Section(
        key="location",
        title=_("Where"),
        rows=rows_of(grouped, lambda row: row["name"]),
    )


def schools(concerns, params):
    grouped = (
        concerns.values("school_id", name=F("school__name"))
        .annotate(**both_periods(params))
        .order_by("name")
    )
    return Section(
        key="school",
        title=_("By school"),
        rows=rows_of(grouped, lambda row: row["name"]),
    )


def weekdays(concerns, params):
    counts = {
        row["day"]: row
        for row in concerns.annotate(day=ExtractWeekDay("occurred_on"))
        .values("day")
        .annotate(**both_periods(params))
        .order_by()
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


def hours(concerns, params):
    grouped = (
        concerns.annotate(hour=ExtractHour("occurred_at"))
        .values("hour")
        .annotate(**both_periods(params))
        .order_by(F("hour").asc(nulls_last=True))
    )
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
