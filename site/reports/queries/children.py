"""What the concerns were about and whom: categories (as the DSL confirmed them),
and the subjects' year groups, sexes and profile flags."""

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from records.models import InvolvementRole, Sex, YearGroup
from taxonomy.models import Term

from .base import NOT_RECORDED, Row, Section, both_periods, counted, rows_of
from .counters import Dimension


@counted
def categories(counter, params):
    """Main categories, sub-categories and DfE codes, from one grouped count by
    each concern's reporting category (the latest triage's, or the reported one
    until it is triaged): each concern has one, so summing its groups is exact."""
    grouped = counter.rows(
        Dimension.CATEGORY, lambda c: {"category": c.key(Dimension.CATEGORY)}
    )
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
        .annotate(**both_periods(params, distinct=True))
        .order_by()
    )
    rows = sorted(grouped, key=lambda row: order.index(row["group"]))
    return Section(
        key="year_group",
        title=_("By year group"),
        rows=rows_of(rows, lambda row: str(labels.get(row["group"], row["group"]))),
        note=_("Children the concern is about; a concern about two counts for each."),
    )


def sexes(concerns, params):
    labels = dict(Sex.choices)
    grouped = (
        _subjects(concerns)
        .values(group=F("involvements__pupil__sex"))
        .annotate(**both_periods(params, distinct=True))
        .order_by("group")
    )
    return Section(
        key="sex",
        title=_("By sex"),
        rows=rows_of(grouped, lambda row: str(labels.get(row["group"], row["group"]))),
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
        .annotate(**both_periods(params, distinct=True))
        .order_by("name")
    )
    return Section(
        key="flag",
        title=_("By profile flag"),
        rows=rows_of(grouped, lambda row: row["name"]),
        note=_(
            "Concerns about a child with the flag on the day of the incident; a "
            "child with two flags counts under each."
        ),
    )
