"""The report: every table, totals first. Extend by adding a function returning a
Section (or a list of them) and listing it in SECTIONS."""

from .actions import decisions, referral_agencies, referral_outcomes
from .base import report_concerns
from .children import categories, flags, sexes, year_groups
from .counters import counter_for
from .over_time import over_time, totals
from .places_and_times import hours, locations, schools, weekdays

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


def build_report(concerns, params, *, viewer=None):
    """Every table of the report: [Section], totals first. One query per table
    (two for categories: the groups, then their names). Sections marked
    `@counted` read the pre-counted figures when the viewer is given and no
    category is chosen (queries.counters); the others count the concerns."""
    concerns = report_concerns(concerns, params)
    counter = counter_for(concerns, params, viewer=viewer)
    sections = []
    for make in [totals, *SECTIONS]:
        made = make(counter if getattr(make, "counted", False) else concerns, params)
        sections.extend(made if isinstance(made, list) else [made])
    return sections
