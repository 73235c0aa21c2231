"""One way to put a value into a cell of a CSV or XLSX file the project writes.

Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage
return before one of them) as a formula: a school's category called
"=HYPERLINK(…)" would become a live link in the DSL's copy of a report. Every cell
of every export goes through `cell`, header lines included, so no writer can forget.
Control characters are taken out too: an XLSX file cannot hold them at all
(openpyxl refuses the whole sheet) and no reader wants them in a CSV.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def cell(value):
    """A value safe to write as a spreadsheet cell.

    Numbers (and None, an empty cell) stay as they are, so they still add up in
    the spreadsheet; anything else becomes text, with an apostrophe in front when
    it would otherwise be read as a formula."""
    if value is None or (
        isinstance(value, int | float) and not isinstance(value, bool)
    ):
        return value
    text = CONTROL_CHARACTERS.sub("", str(value))
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def row(values):
    return [cell(value) for value in values]
