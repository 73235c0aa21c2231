"""Reports as files: CSV and XLSX of any report's tables, and the governors' termly
report as a PDF with small numbers suppressed.

Files hold aggregates only (labels from the school's lists and counts), never names
or free text. A cell starting with = + - @ is prefixed with an apostrophe so that a
category called "=HYPERLINK(…)" stays text in a spreadsheet.
"""

import csv
import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

SMALL = 5
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def suppress(value):
    """A count safe to publish: 1 to 4 become "fewer than 5" so that no child can
    be picked out of a governors' report; 0 and 5 or more are shown."""
    if 0 < value < SMALL:
        return _("fewer than %(n)s") % {"n": SMALL}
    return value


def _text(value):
    value = str(value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def table_rows(sections, params):
    """Header lines, then one line per row: section, label, this period, previous."""
    period, previous = params.period, params.previous
    yield [_("Chronicle report"), "", "", ""]
    yield [_("This period"), f"{period.start:%Y-%m-%d}", f"{period.end:%Y-%m-%d}", ""]
    yield [
        _("Previous period"),
        f"{previous.start:%Y-%m-%d}",
        f"{previous.end:%Y-%m-%d}",
        "",
    ]
    yield [_("Schools"), "; ".join(school.name for school in params.schools), "", ""]
    if params.categories:
        yield [_("Categories"), "; ".join(str(t) for t in params.categories), "", ""]
    yield []
    yield [_("Table"), _("Group"), _("This period"), _("Previous period")]
    for section in sections:
        for row in section.rows:
            previous_value = row.previous if section.compare else ""
            yield [
                _text(section.title),
                _text(row.label),
                row.current,
                previous_value,
            ]


def as_csv(sections, params):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in table_rows(sections, params):
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8-sig")  # Excel reads the BOM as UTF-8


def as_xlsx(sections, params):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Report")[:31]
    for row in table_rows(sections, params):
        sheet.append(row)
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def governors_pdf(*, sections, params, user, request=None):
    import weasyprint  # imported here: Pango is loaded only when a PDF is made

    html = render_to_string(
        "reports/governors_pdf.html",
        {
            "sections": [
                {
                    "title": section.title,
                    "note": section.note,
                    "compare": section.compare,
                    "rows": [
                        {
                            "label": row.label,
                            "current": suppress(row.current),
                            "previous": suppress(row.previous),
                        }
                        for row in section.rows
                    ],
                }
                for section in sections
            ],
            "params": params,
            "exported_by": user,
            "exported_at": timezone.localtime(),
            "small": SMALL,
        },
        request=request,
    )
    return weasyprint.HTML(string=html).write_pdf()
