"""The report's figures: one grouped query per table, counted in the database.

Every table counts this period and the previous one side by side, from one query over
the range holding both (conditional COUNTs), so the number of queries is the same
whatever the number of concerns. Python only relabels and merges the grouped rows
(a few dozen at most), never the concerns themselves.

What is counted, and when:
- A concern falls in a period by the date of the incident (`occurred_on`).
- Its category is the one the DSL confirmed at the latest triage, or the one it was
  reported with until it is triaged. Merges re-point both (taxonomy.services), and a
  category is grouped by its id and labelled with its current name, so renames and
  merges need nothing more; "DfE code" groups by the category's external code (its
  main category's when it has none of its own).
- Year group, sex and profile flags are those of the children the concern is about
  (role "subject"), not witnesses or alleged perpetrators; a concern about two
  children counts once in each of their groups. Year group is the child's current
  one. A flag counts when it was current on the day of the incident.
- Decisions, and referrals with their agency's outcome, are those made on the
  concerns of the period.
Extend by adding a function returning a Section and listing it in `build_report`.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import ExtractHour, ExtractWeekDay, TruncMonth
from django.utils.translation import gettext_lazy as _

from records.models import (
    DecisionOutcome,
    InvolvementRole,
    Referral,
    Sex,
    Triage,
    YearGroup,
)
from taxonomy.models import Term

from .filters import TERM

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

    @property
    def total_current(self):
        return sum(row.current for row in self.rows)


def _both(params, prefix="", counted="pk", distinct=False):
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


def _untriaged():
    return ~Exists(Triage.objects.filter(concern=OuterRef("pk")))


def report_concerns(concerns, params):
    """The concerns in either period, filtered by the chosen categories (a main
    category brings its sub-categories): the category of the latest triage, or the
    reported one until the concern is triaged."""
    concerns = concerns.filter(
        school__in=params.schools, occurred_on__range=params.covering
    )
    if params.categories:
        chosen = [term.pk for term in params.categories]
        ids = Term.objects.filter(Q(pk__in=chosen) | Q(parent__in=chosen)).values("pk")
        concerns = concerns.filter(
            Q(_untriaged(), primary_category__in=ids)
            | Q(
                Exists(
                    latest_triages().filter(
                        concern=OuterRef("pk"), primary_category__in=ids
                    )
                )
            )
        )
    return concerns


def _rows(queryset, label):
    return [
        Row(label=label(row), current=row["current"], previous=row["previous"])
        for row in queryset
    ]


def totals(concerns, params):
    figures = concerns.aggregate(
        **_both(params),
        urgent_current=Count(
            "pk",
            filter=Q(
                immediate_risk=True,
                occurred_on__range=(params.period.start, params.period.end),
            ),
        ),
        urgent_previous=Count(
            "pk",
            filter=Q(
                immediate_risk=True,
                occurred_on__range=(params.previous.start, params.previous.end),
            ),
        ),
    )
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


def over_time(concerns, params):
    """Concerns per month or per school term: this period's months (or terms) in
    order, each beside the previous period's month (or term) in the same place, so
    the chart can draw the previous period as a second line. One grouped query."""
    if params.grouping == TERM:
        return _by_term(concerns, params)
    grouped = {
        row["month"]: row
        for row in concerns.annotate(month=TruncMonth("occurred_on"))
        .values("month")
        .annotate(**_both(params))
        .order_by("month")
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


def _by_term(concerns, params):
    names = list(dict.fromkeys(term.name for term in params.terms))
    whens = [
        When(
            school_id=term.school_id,
            occurred_on__range=(term.starts_on, term.ends_on),
            then=Value(names.index(term.name)),
        )
        for term in params.terms
    ]
    bucket = (
        Case(*whens, default=Value(-1), output_field=IntegerField())
        if whens
        else Value(-1, output_field=IntegerField())
    )
    counts = {
        row["bucket"]: row
        for row in concerns.annotate(bucket=bucket)
        .values("bucket")
        .annotate(**_both(params))
        .order_by("bucket")
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


def categories(concerns, params):
    """Main categories, sub-categories and DfE codes, from one grouped query (each
    concern has one reporting category, so summing its groups is exact): concerns
    not yet triaged by the reported category, UNION ALL the latest triages by
    theirs; a category can come from both halves, so they are added up here."""
    untriaged = (
        concerns.filter(_untriaged())
        .values(category=F("primary_category_id"))
        .annotate(**_both(params))
        .order_by()
    )
    triaged = (
        latest_triages()
        .filter(concern__in=concerns.values("pk"))
        .values(category=F("primary_category_id"))
        .annotate(**_both(params, prefix="concern__"))
        .order_by()
    )
    grouped = list(untriaged.union(triaged, all=True))
    terms = Term.objects.select_related("parent").in_bulk(
        [row["category"] for row in grouped]
    )
    main, sub, codes = {}, {}, {}
    for row in grouped:
        term = terms[row["category"]]
        top = term.parent or term
        code = term.external_code or top.external_code or str(NOT_RECORDED)
        for table, key, label in (
            (main, top.pk, top.name),
            (sub, term.pk, str(term)),
            (codes, code, code),
        ):
            entry = table.setdefault(key, Row(label=label))
            entry.current += row["current"]
            entry.previous += row["previous"]
    return [
        Section(key="category", title=_("By category"), rows=_sorted(main)),
        Section(
            key="subcategory",
            title=_("By category and sub-category"),
            rows=_sorted(sub),
        ),
        Section(
            key="dfe_code",
            title=_("By DfE code (children in need factor)"),
            rows=_sorted(codes),
            note=_(
                "Categories with the same external code are counted together, "
                "whatever they are called now and whatever was merged into them."
            ),
        ),
    ]


def _sorted(table):
    return sorted(
        table.values(), key=lambda row: (-row.current, -row.previous, row.label)
    )


def _subjects(concerns):
    return concerns.filter(involvements__role=InvolvementRole.SUBJECT)


def year_groups(concerns, params):
    labels = dict(YearGroup.choices)
    order = list(labels)
    grouped = (
        _subjects(concerns)
        .values(group=F("involvements__pupil__year_group"))
        .annotate(**_both(params, distinct=True))
        .order_by()
    )
    rows = sorted(grouped, key=lambda row: order.index(row["group"]))
    return Section(
        key="year_group",
        title=_("By year group"),
        rows=_rows(rows, lambda row: str(labels.get(row["group"], row["group"]))),
        note=_("Children the concern is about; a concern about two counts for each."),
    )


def sexes(concerns, params):
    labels = dict(Sex.choices)
    grouped = (
        _subjects(concerns)
        .values(group=F("involvements__pupil__sex"))
        .annotate(**_both(params, distinct=True))
        .order_by("group")
    )
    return Section(
        key="sex",
        title=_("By sex"),
        rows=_rows(grouped, lambda row: str(labels.get(row["group"], row["group"]))),
        note=_("Children the concern is about, as recorded in the MIS."),
    )


def flags(concerns, params):
    current_then = Q(involvements__pupil__flags__ends_on__isnull=True) | Q(
        involvements__pupil__flags__ends_on__gte=F("occurred_on")
    )
    grouped = (
        concerns.filter(
            current_then,
            involvements__role=InvolvementRole.SUBJECT,
            involvements__pupil__flags__starts_on__lte=F("occurred_on"),
        )
        .values(
            flag=F("involvements__pupil__flags__flag_id"),
            name=F("involvements__pupil__flags__flag__name"),
        )
        .annotate(**_both(params, distinct=True))
        .order_by("name")
    )
    return Section(
        key="flag",
        title=_("By profile flag"),
        rows=_rows(grouped, lambda row: row["name"]),
        note=_(
            "Concerns about a child with the flag on the day of the incident; a "
            "child with two flags counts under each."
        ),
    )


def locations(concerns, params):
    grouped = (
        concerns.values("location_id", name=F("location__name"))
        .annotate(**_both(params))
        .order_by("-current", "name")
    )
    return Section(
        key="location",
        title=_("Where"),
        rows=_rows(grouped, lambda row: row["name"]),
    )


def schools(concerns, params):
    grouped = (
        concerns.values("school_id", name=F("school__name"))
        .annotate(**_both(params))
        .order_by("name")
    )
    return Section(
        key="school",
        title=_("By school"),
        rows=_rows(grouped, lambda row: row["name"]),
    )


def weekdays(concerns, params):
    counts = {
        row["day"]: row
        for row in concerns.annotate(day=ExtractWeekDay("occurred_on"))
        .values("day")
        .annotate(**_both(params))
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
        .annotate(**_both(params))
        .order_by(F("hour").asc(nulls_last=True))
    )
    return Section(
        key="hour",
        title=_("By time of day"),
        rows=_rows(
            grouped,
            lambda row: (
                str(NOT_RECORDED)
                if row["hour"] is None
                else f"{row['hour']:02d}:00–{row['hour']:02d}:59"
            ),
        ),
    )


def _related(concerns, params, relation, **groups):
    """Rows related to the concerns (decisions, referrals), grouped and counted per
    period from the concerns' side: one outer join, where "concern IN (subquery)"
    joined back to the concern for its date read the concerns twice. Concerns with
    no such row make a group of None with nothing counted; it is left out."""
    first = next(iter(groups))
    grouped = concerns.values(**groups).annotate(**_both(params, counted=relation))
    return [row for row in grouped.order_by() if row[first] is not None]


def decisions(concerns, params):
    labels = dict(DecisionOutcome.choices)
    order = list(labels)
    grouped = _related(concerns, params, "decisions", outcome=F("decisions__outcome"))
    rows = sorted(grouped, key=lambda row: order.index(row["outcome"]))
    return Section(
        key="decision",
        title=_("Decisions by outcome"),
        rows=_rows(rows, lambda row: str(labels.get(row["outcome"], row["outcome"]))),
        note=_("Every decision on the period's concerns, reviews included."),
    )


def referral_agencies(concerns, params):
    grouped = _related(
        concerns,
        params,
        "referrals",
        agency_id=F("referrals__agency_id"),
        name=F("referrals__agency__name"),
    )
    grouped.sort(key=lambda row: (-row["current"], row["name"]))
    return Section(
        key="agency",
        title=_("Referrals by agency"),
        rows=_rows(grouped, lambda row: row["name"]),
    )


def referral_outcomes(concerns, params):
    labels = dict(Referral.AgencyOutcome.choices)
    order = ["", *labels]
    grouped = _related(
        concerns, params, "referrals", agency_outcome=F("referrals__agency_outcome")
    )
    rows = sorted(grouped, key=lambda row: order.index(row["agency_outcome"]))
    return Section(
        key="agency_outcome",
        title=_("Referrals by the agency's outcome"),
        rows=_rows(
            rows,
            lambda row: str(
                labels.get(row["agency_outcome"]) or _("No outcome recorded yet")
            ),
        ),
    )


SECTIONS = [
    over_time,
    categories,
    year_groups,
    sexes,
    flags,
    locations,
    schools,
    weekdays,
    hours,
    decisions,
    referral_agencies,
    referral_outcomes,
]


def build_report(concerns, params):
    """Every table of the report: [Section], totals first. One query per table
    (two for categories: the groups, then their names)."""
    concerns = report_concerns(concerns, params)
    sections = [totals(concerns, params)]
    for make in SECTIONS:
        made = make(concerns, params)
        sections.extend(made if isinstance(made, list) else [made])
    return sections
