"""Reports as files: CSV and XLSX of any report's tables, and the governors' termly
report as a PDF with small numbers suppressed.

Files hold aggregates only (labels from the school's lists and counts), never names
or free text. Every cell, header lines included, goes through chronicle.spreadsheets
so that a school or category called "=HYPERLINK(…)" stays text in a spreadsheet.
"""

import csv
import tempfile

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from chronicle import spreadsheets
from chronicle.pdf import tagged_pdf

SMALL = 5
CHUNK = 64 * 1024  # bytes of a workbook handed to the server at a time


def suppress(value):
    """A count safe to publish: 1 to 4 become "fewer than 5" so that no child can
    be picked out of a governors' report; 0 and 5 or more are shown."""
    if 0 < value < SMALL:
        return _("fewer than %(n)s") % {"n": SMALL}
    return value


def _hidden():
    return _("not shown")


def _feasible(total, ranges, index):
    """The values cell `index` can take, as a reader who knows the column's total
    and each hidden cell's range works it out: its own range, narrowed by what the
    other hidden cells can add up to (sums of integer ranges are ranges)."""
    low, high = ranges[index]
    others = [r for position, r in enumerate(ranges) if position != index]
    least = sum(r[0] for r in others)
    most = sum(r[1] for r in others)
    return max(low, total - most), min(high, total - least)


def _recoverable(total, ranges):
    return any(
        high - low < 1
        for low, high in (_feasible(total, ranges, i) for i in range(len(ranges)))
    )


def protect(counts):
    """One column of a table made safe to publish beside its total.

    Primary suppression: 1 to 4 read "fewer than 5". Secondary: while the total
    would let a reader work out a hidden count (total 7 = 5 + "fewer than 5" gives
    2), the smallest count still shown is hidden too ("not shown", read as 5 or
    more), until every hidden count could be at least two values. If no count is
    left to hide, the whole column is "not shown". The total is taken as known
    (it is, or a reader can add it up from the totals), so this is safe whether
    or not the column adds up to a published figure."""
    total = sum(counts)
    hidden = {i: (1, SMALL - 1) for i, n in enumerate(counts) if 0 < n < SMALL}
    while hidden and _recoverable(
        total - sum(n for i, n in enumerate(counts) if i not in hidden),
        list(hidden.values()),
    ):
        shown = [(n, i) for i, n in enumerate(counts) if i not in hidden and n]
        if not shown:
            return [_hidden() for _n in counts]
        _n, index = min(shown)
        hidden[index] = (SMALL, total)
    return [
        (suppress(n) if hidden[i][0] == 1 else _hidden()) if i in hidden else n
        for i, n in enumerate(counts)
    ]


def protected_rows(section):
    """A section's rows for governors: each column protected on its own (the PDF
    shows no row totals or changes, so columns are the only sums to guard). The
    totals are not parts of a whole: each is only suppressed when small."""
    guard = (
        (lambda counts: [suppress(n) for n in counts])
        if section.key == "totals"
        else protect
    )
    current = guard([row.current for row in section.rows])
    previous = guard([row.previous for row in section.rows])
    return [
        {"label": _label(row), "current": now, "previous": before}
        for row, now, before in zip(section.rows, current, previous, strict=True)
    ]


def _label(row):
    """The row's label; over time, with the previous period's month or term."""
    before = getattr(row, "previous_label", "")
    if before and str(before) != str(row.label):
        return f"{row.label} / {before}" if row.label else str(before)
    return row.label


def table_rows(sections, params):
    """Header lines, then one line per row: section, label, this period, previous;
    every cell escaped for a spreadsheet."""
    for line in _lines(sections, params):
        yield spreadsheets.row(line)


def _lines(sections, params):
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
            yield [section.title, _label(row), row.current, previous_value]


class _Line:
    """A file-like target for csv.writer that hands back the line just written."""

    def write(self, text):
        return text


def as_csv(sections, params):
    """The CSV, line by line as bytes, for a streamed response: the first line
    leaves before the last is written and memory stays flat whatever the rows."""
    writer = csv.writer(_Line())
    yield "\ufeff".encode()  # Excel reads the BOM as UTF-8
    for row in table_rows(sections, params):
        yield writer.writerow(row).encode("utf-8")


def as_xlsx(sections, params):
    """The workbook, written row by row (openpyxl's write-only mode keeps no
    cells in memory) to a temporary file, then handed back in chunks: an XLSX
    is a zip whose index comes last, so nothing can leave before the last row."""
    from openpyxl import Workbook  # imported here: few requests write a workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Report")[:31])
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 40
    for row in table_rows(sections, params):
        sheet.append(row)
    with tempfile.SpooledTemporaryFile(max_size=CHUNK * 16) as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk


def governors_pdf(*, sections, params, user, request=None):
    html = render_to_string(
        "reports/governors_pdf.html",
        {
            "sections": [
                {
                    "title": section.title,
                    "note": section.note,
                    "compare": section.compare,
                    "rows": protected_rows(section),
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
    return tagged_pdf(html)
