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
Extend by adding a function returning a Section and listing it in
`report.SECTIONS`.
"""

from .actions import decisions, referral_agencies, referral_outcomes
from .base import (
    NOT_RECORDED,
    OUTSIDE_TERMS,
    WEEKDAYS,
    Row,
    Section,
    latest_triages,
    report_concerns,
)
from .children import categories, flags, sexes, year_groups
from .over_time import over_time, totals
from .places_and_times import hours, locations, schools, weekdays
from .report import SECTIONS, build_report

__all__ = [
    "NOT_RECORDED",
    "OUTSIDE_TERMS",
    "SECTIONS",
    "WEEKDAYS",
    "Row",
    "Section",
    "build_report",
    "categories",
    "decisions",
    "flags",
    "hours",
    "latest_triages",
    "locations",
    "over_time",
    "referral_agencies",
    "referral_outcomes",
    "report_concerns",
    "schools",
    "sexes",
    "totals",
    "weekdays",
    "year_groups",
]
