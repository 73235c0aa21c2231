"""What every table of the report shares: its rows and sections, the concerns it
counts, and the COUNTs of this period and the previous one (see the package's
docstring for what is counted, and when)."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from records.models import Triage
from taxonomy.models import Term

WEEKDAYS = {
    2: _("Monday"),
    3: _("Tuesday"),
    4: _("Wednesday"),
    5: _("Thursday"),
    6: _("Friday"),
    7: _("Saturday"),
    1: _("Sunday"),
}
NOT_RECORDED = _("Not recorded")
OUTSIDE_TERMS = _("Outside term dates")


@dataclass
class Row:
    label: str
    current: int = 0
    previous: int = 0
    previous_label: str = ""  # over time: the previous period's month or term

    @property
    def change(self):
        return self.current - self.previous


@dataclass
class Section:
    key: str
    title: str
    rows: list = field(default_factory=list)
    chart: str = "bar"
    note: str = ""
    compare: bool = True


def both_periods(params, prefix="", counted="pk", distinct=False):
    """COUNTs of this period and the previous one, by the concern's incident date
    (`prefix` leads from the counted rows to their concern)."""
    column = f"{prefix}occurred_on"
    return {
        "current": Count(
            counted,
            distinct=distinct,
            filter=Q(**{f"{column}__range": (params.period.start, params.period.end)}),
        ),
        "previous": Count(
            counted,
            distinct=distinct,
            filter=Q(
                **{f"{column}__range": (params.previous.start, params.previous.end)}
            ),
        ),
    }


def latest_triages():
    """Each concern's latest triage (by cycle, then time, then id), as an anti-join:
    the triages with no later one for the same concern. A correlated "ORDER BY ...
    LIMIT 1" per concern cost a sub-plan per row (and PostgreSQL's JIT compiling it)
    at 100,000 concerns; this is one hash anti-join."""
    later = Triage.objects.filter(
        Q(cycle__gt=OuterRef("cycle"))
        | Q(cycle=OuterRef("cycle"), triaged_at__gt=OuterRef("triaged_at"))
        | Q(
            cycle=OuterRef("cycle"),
            triaged_at=OuterRef("triaged_at"),
            pk__gt=OuterRef("pk"),
        ),
        concern=OuterRef("concern"),
    )
    return Triage.objects.filter(~Exists(later))


def counted(make):
    """Mark a section that counts the concerns themselves: it is given a counter
    (queries.counters) rather than the concerns, and so can be read from the
    pre-counted figures."""
    make.counted = True
    return make


def report_concerns(concerns, params):
    """The concerns in either period, filtered by the chosen categories (a main
    category brings its sub-categories): the category of the latest triage, or the
    reported one until the concern is triaged, as Concern.reporting_category keeps
    it (one indexed column, where finding each concern's latest triage was an
    anti-join per concern)."""
    concerns = concerns.filter(
        school__in=params.schools, occurred_on__range=params.covering
    )
    if params.categories:
        chosen = [term.pk for term in params.categories]
        ids = Term.objects.filter(Q(pk__in=chosen) | Q(parent__in=chosen))
        concerns = concerns.filter(
            reporting_category__in=list(ids.values_list("pk", flat=True))
        )
    return concerns


def rows_of(queryset, label):
    return [
        Row(label=label(row), current=row["current"], previous=row["previous"])
        for row in queryset
    ]
