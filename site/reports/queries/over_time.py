"""Totals, and the concerns over time: by month, or by the school's terms."""

from datetime import date

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from reports.filters import TERM

from .base import OUTSIDE_TERMS, Row, Section, counted
from .counters import Dimension


@counted
def totals(counter, params):
    figures = counter.totals()
    return Section(
        key="totals",
        title=_("Totals"),
        chart="",
        rows=[
            Row(_("Concerns"), figures["current"], figures["previous"]),
            Row(
                _("Reported as immediate risk"),
                figures["urgent_current"],
                figures["urgent_previous"],
            ),
        ],
    )


@counted
def over_time(counter, params):
    """Concerns per month or per school term: this period's months (or terms) in
    order, each beside the previous period's month (or term) in the same place, so
    the chart can draw the previous period as a second line. One grouped query."""
    if params.grouping == TERM:
        return _by_term(counter, params)
    grouped = {
        row["month"]: row
        for row in counter.rows(Dimension.ALL, lambda c: {"month": TruncMonth(c.day)})
    }
    current = [
        (month, grouped.get(month, {}).get("current", 0))
        for month in _months(params.period)
    ]
    previous = [
        (month, grouped.get(month, {}).get("previous", 0))
        for month in _months(params.previous)
    ]
    rows = _side_by_side(
        [(month.strftime("%b %Y"), n) for month, n in current],
        [(month.strftime("%b %Y"), n) for month, n in previous],
    )
    return Section(
        key="over_time",
        title=_("Concerns by month"),
        rows=rows,
        chart="line",
        note=_("Each month beside the month in the same place in the previous period."),
    )


def _side_by_side(current, previous):
    """Rows pairing the n-th (label, count) of this period with the n-th of the
    previous one; the previous label is kept to show which month it was."""
    rows = []
    for index in range(max(len(current), len(previous))):
        label, count = current[index] if index < len(current) else ("", 0)
        before, count_before = previous[index] if index < len(previous) else ("", 0)
        rows.append(
            Row(
                label=label, current=count, previous=count_before, previous_label=before
            )
        )
    return rows


def _months(period):
    year, month = period.start.year, period.start.month
    while date(year, month, 1) <= period.end:
        yield date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _term_bucket(counter, params, names):
    """Which term (its place in `names`) a concern's school and date fall in; -1
    outside every term."""
    whens = [
        When(
            Q(**{counter.school: term.school_id})
            & Q(**{f"{counter.day}__range": (term.starts_on, term.ends_on)}),
            then=Value(names.index(term.name)),
        )
        for term in params.terms
    ]
    if not whens:
        return Value(-1, output_field=IntegerField())
    return Case(*whens, default=Value(-1), output_field=IntegerField())


def _by_term(counter, params):
    names = list(dict.fromkeys(term.name for term in params.terms))
    counts = {
        row["bucket"]: row
        for row in counter.rows(
            Dimension.ALL,
            lambda c: {"bucket": _term_bucket(c, params, names)},
        )
    }

    def terms_in(period, which):
        return [
            (name, counts.get(index, {}).get(which, 0))
            for index, name in enumerate(names)
            if _overlaps(period, [t for t in params.terms if t.name == name])
        ]

    rows = _side_by_side(
        terms_in(params.period, "current"), terms_in(params.previous, "previous")
    )
    outside = counts.get(-1, {})
    if outside.get("current") or outside.get("previous"):
        rows.append(
            Row(
                label=str(OUTSIDE_TERMS),
                current=outside.get("current", 0),
                previous=outside.get("previous", 0),
                previous_label=str(OUTSIDE_TERMS),
            )
        )
    return Section(
        key="over_time",
        title=_("Concerns by school term"),
        rows=rows,
        chart="bar",
        note=_("Each term beside the term in the same place in the previous period."),
    )


def _overlaps(period, terms):
    return any(
        term.starts_on <= period.end and term.ends_on >= period.start for term in terms
    )
