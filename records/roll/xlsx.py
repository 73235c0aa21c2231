"""Reading an Excel workbook (.xlsx) of the roll into the same rows of cells a CSV
gives (records.roll.reading checks them): the first sheet, its first row the
headings. Dates Excel stored as dates become yyyy-mm-dd; whole numbers lose the
".0" Excel gives them (a year group of 7, not 7.0)."""

import io
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

XLSX_START = b"PK\x03\x04"
MAX_ROWS = 10_000  # a school's roll is a few thousand; past this, something is wrong


def looks_like_xlsx(data: bytes) -> bool:
    return data.startswith(XLSX_START)


def xlsx_records(*, data: bytes, name: str) -> list[tuple[int, list[str]]]:
    """[(row number, cells)] of the first sheet, blank rows left out."""
    # openpyxl is heavy and only an .xlsx upload needs it (docs/architecture.md).
    # It parses the workbook's XML with defusedxml when that is installed.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a broken workbook raises many kinds of error
        raise ValidationError(
            _(
                "“%(name)s” can't be read as an Excel workbook (.xlsx). Save it again "
                "from Excel as “Excel Workbook (.xlsx)” or as “CSV UTF-8”."
            )
            % {"name": name}
        ) from error
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(max_row=MAX_ROWS + 1, values_only=True)
        records = [
            (number, [_cell(value) for value in values])
            for number, values in enumerate(rows, start=1)
            if any(value not in (None, "") for value in values)
        ]
    finally:
        workbook.close()
    return records


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
