"""What was done: the DSLs' decisions, referrals by agency and their outcomes."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from records.models import DecisionOutcome, Referral

from .base import Section, both_periods, rows_of


def _related(concerns, params, relation, **groups):
    """Rows related to the concerns (decisions, referrals), grouped and counted per
    period from the concerns' side: one outer join, where "concern IN (subquery)"
    joined back to the concern for its date read the concerns twice. Concerns with
    no such row make a group of None with nothing counted; it is left out."""
    first = next(iter(groups))
    grouped = concerns.values(**groups).annotate(
        **both_periods(params, counted=relation)
    )
    return [row for row in grouped.order_by() if row[first] is not None]


def decisions(concerns, params):
    labels = dict(DecisionOutcome.choices)
    order = list(labels)
    grouped = _related(concerns, params, "decisions", outcome=F("decisions__outcome"))
    rows = sorted(grouped, key=lambda row: order.index(row["outcome"]))
    return Section(
        key="decision",
        title=_("Decisions by outcome"),
        rows=rows_of(rows, lambda row: str(labels.get(row["outcome"], row["outcome"]))),
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
        rows=rows_of(grouped, lambda row: row["name"]),
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
        rows=rows_of(
            rows,
            lambda row: str(
                labels.get(row["agency_outcome"]) or _("No outcome recorded yet")
            ),
        ),
    )
