"""The report's figures for the API (api.casework, which finds this through the
"chronicle_api_report" hook in wagtail_hooks.py: the top rooms do not import each
other). The same filters, selectors and tables as the report page, every count
made safe to publish as the governors' report makes it."""

from typing import Any

from accounts.selectors import Viewer

from .exports import SMALL, protected_rows
from .filters import ReportFilterForm
from .queries import build_report
from .selectors import (
    can_see_reports,
    categories_for_reports,
    concerns_for_reports,
    report_schools,
    terms_for_reports,
)

Json = dict[str, Any]


def may_see(user: Viewer) -> bool:
    return can_see_reports(user)


def report(user: Viewer, query: dict[str, Any]) -> Json:
    """The report page's tables for these filters, each count made safe to
    publish as the governors' report does (reports.exports.protected_rows: 1 to 4
    read "fewer than 5", and a count that could be worked out from the others is
    "not shown"). Raises ReportInvalid with the filter form's messages."""
    form = ReportFilterForm(
        query,
        schools=report_schools(user),
        categories=categories_for_reports(user),
        terms=terms_for_reports(user),
    )
    if not form.is_valid():
        raise ReportInvalid(
            {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        )
    params = form.params()
    sections = build_report(concerns_for_reports(user), params)
    return {
        "period": {"start": params.period.start, "end": params.period.end},
        "previous": {"start": params.previous.start, "end": params.previous.end},
        "schools": [{"id": s.pk, "name": s.name} for s in params.schools],
        "suppressed_below": SMALL,
        "sections": [
            {
                "key": section.key,
                "title": str(section.title),
                "rows": [
                    {
                        "label": str(row["label"]),
                        "current": _cell(row["current"]),
                        "previous": _cell(row["previous"]),
                    }
                    for row in protected_rows(section)
                ],
            }
            for section in sections
        ],
    }


def _cell(value: Any) -> int | str:
    return value if isinstance(value, int) else str(value)


class ReportInvalid(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors
