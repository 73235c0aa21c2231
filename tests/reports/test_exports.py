"""CSV, XLSX and the governors' PDF: what is in them, that each is audited, and that
small numbers are suppressed for governors."""

import csv
import io
import re

import pytest

from reports.exports import protect, suppress
from tests.builders import concern_row

from ..pdfs import assert_tagged
from .conftest import PERIOD, REPORTS, category

pytestmark = pytest.mark.django_db


def _body(response):
    """A streamed export's bytes, as the browser saves them."""
    assert response.streaming
    return b"".join(response.streaming_content)


def _log_entries(user, event):
    from auditlog import get_logentry_model

    return get_logentry_model().objects.filter(
        object_pk=str(user.pk), additional_data__event=event
    )


def test_csv_holds_every_table_with_both_periods_and_is_audited(
    verified_client, seeded, dsl
):
    response = verified_client(dsl).get(REPORTS + "export.csv", PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = _body(response).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert ["This period", "2026-09-01", "2026-10-31", ""] in rows
    assert ["Totals", "Concerns", "3", "1"] in rows
    assert ["By category", "Neglect", "3", "1"] not in rows
    assert ["By category", "Neglect", "1", "1"] in rows
    assert ["By year group", "Year 6", "2", "1"] in rows
    assert ["Referrals by agency", "Police", "1", "0"] in rows
    assert ["Concerns by month", "Sep 2026 / Jul 2026", "2", "0"] in rows
    assert "Synthetic: a worry" not in text and "Testchild" not in text
    entry = _log_entries(dsl, "report exported").get()
    assert entry.additional_data["format"] == "csv"
    assert "from=2026-09-01" in entry.additional_data["filters"]


def test_xlsx_holds_the_same_rows(verified_client, seeded, head):
    from openpyxl import load_workbook

    response = verified_client(head).get(REPORTS + "export.xlsx", PERIOD)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(_body(response))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert ["Totals", "Concerns", 4, 1] in rows
    assert _log_entries(head, "report exported").get().additional_data["format"] == (
        "xlsx"
    )


def test_a_category_that_looks_like_a_formula_stays_text(
    verified_client, seeded, dsl, school, staff
):
    from datetime import date

    from taxonomy.models import Term, Vocabulary

    odd = Term.objects.create(
        vocabulary=Vocabulary.CATEGORY,
        school=school,
        name="=HYPERLINK(1)",
        definition="Made up to test exports.",
    )
    concern_row(school=school, by=staff, category=odd, on=date(2026, 9, 9))
    response = verified_client(dsl).get(REPORTS + "export.csv", PERIOD)
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))
    assert ["By category", "'=HYPERLINK(1)", "1", "0"] in rows


def _formula_world(school, staff):
    """A school and a category whose names a spreadsheet would run as formulas."""
    from datetime import date

    from taxonomy.models import Term, Vocabulary

    school.name = "=HYPERLINK(2)"
    school.save(update_fields=["name"])
    odd = Term.objects.create(
        vocabulary=Vocabulary.CATEGORY,
        school=school,
        name="@SUM(1+1)",
        definition="Made up to test exports.",
    )
    concern_row(school=school, by=staff, category=odd, on=date(2026, 9, 9))
    return {**PERIOD, "category": [odd.pk]}


def test_header_lines_are_escaped_in_the_csv(
    verified_client, seeded, dsl, school, staff
):
    """The Schools and Categories lines at the top, not only the table rows."""
    query = _formula_world(school, staff)
    response = verified_client(dsl).get(REPORTS + "export.csv", query)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))
    assert ["Schools", "'=HYPERLINK(2)", "", ""] in rows
    assert ["Categories", "'@SUM(1+1)", "", ""] in rows
    starts = ("=", "+", "-", "@")
    assert not [cell for row in rows for cell in row if cell.startswith(starts)]


def test_no_cell_of_the_xlsx_is_a_formula(verified_client, seeded, dsl, school, staff):
    from openpyxl import load_workbook

    query = _formula_world(school, staff)
    response = verified_client(dsl).get(REPORTS + "export.xlsx", query)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(_body(response))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    values = [c.value for c in cells]
    assert "'=HYPERLINK(2)" in values
    assert "'@SUM(1+1)" in values


def test_every_export_cell_goes_through_one_escape():
    from chronicle.spreadsheets import cell

    assert cell("=1+1") == "'=1+1"
    assert cell("-2") == "'-2"
    assert cell("\t=A1") == "'\t=A1"
    assert cell("Neglect\x00\x0b") == "Neglect"
    assert cell(-2) == -2  # a count stays a number
    assert cell(None) is None


def test_unknown_format_is_refused(verified_client, dsl):
    assert verified_client(dsl).get(REPORTS + "export.pdf").status_code in (302, 403)


def test_suppression_of_small_numbers():
    assert [suppress(n) for n in (0, 1, 4, 5, 12)] == [
        0,
        "fewer than 5",
        "fewer than 5",
        5,
        12,
    ]


def test_secondary_suppression_worked_by_hand():
    """Each column beside its total, which a reader knows or can add up."""
    small, hidden = "fewer than 5", "not shown"
    # Total 7 = 5 + 2: with the 5 shown the 2 is 7 - 5. Hiding the 5 leaves
    # 1+6 or 2+5 (the hidden one is 5 or more): neither can be worked out.
    assert protect([5, 2]) == [hidden, small]
    # 2 + 3 hidden, 10 shown: total 15 leaves 5 for two cells of 1-4: 1+4, 2+3...
    assert protect([2, 3, 10, 0]) == [small, small, 10, 0]
    # 1 + 1 = 2 is the only way two cells of 1-4 make 2: the smallest shown
    # count (7, not 12) is hidden too, and then the three could be many things.
    assert protect([1, 12, 1, 7]) == [small, 12, small, hidden]
    # 5 + 1 = 6 cannot be saved by hiding the 5 (1-4 and 5-6 summing to 6 is
    # only 1 + 5) and there is nothing else to hide: the whole column goes.
    assert protect([5, 1, 0]) == [hidden, hidden, hidden]
    # Nothing small, nothing hidden.
    assert protect([0, 5, 9]) == [0, 5, 9]


def test_governors_report_needs_a_term(verified_client, seeded, dsl):
    response = verified_client(dsl).get(REPORTS + "governors.pdf", PERIOD)
    assert response.status_code == 302
    page = verified_client(dsl).get(response.url).content.decode()
    assert "Choose a school term for the governors" in page


def test_governors_report_suppresses_small_numbers_and_is_audited(
    verified_client, seeded, dsl, school, staff
):
    from datetime import date

    import pypdf

    for day in range(10, 16):  # six more concerns of physical abuse in Autumn 1
        concern_row(
            school=school,
            by=staff,
            category=category("physical-abuse"),
            on=date(2026, 10, day),
        )
    response = verified_client(dsl).get(
        REPORTS + "governors.pdf", {"term": "Autumn 1 2026"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(
        page.extract_text()
        for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )
    text = " ".join(text.split())
    assert "Autumn 1 2026" in text
    assert "any count from 1 to 4 is shown as “fewer than 5”" in text
    # This term: 9 concerns, physical abuse 7 (c2 and six more), child-on-child 1
    # (c1), neglect 1 (c3). Showing the 7 would give 9 - 7 = 2 for two counts of
    # "fewer than 5", so both 1: the 7 is hidden too. The term before holds only c7
    # (neglect), so that column is hidden whole.
    assert "Concerns 9 fewer than 5" in text
    assert "Physical abuse not shown not shown" in text
    assert "Neglect fewer than 5 not shown" in text
    assert "Physical abuse 7" not in text
    assert "Testchild" not in text
    # Tagged (PDF/UA-1): headings and tables a screen reader can walk.
    assert_tagged(
        response.content,
        title="Safeguarding report to governors",
        tags={"H1", "H2", "Table", "TH", "TD"},
    )
    entry = _log_entries(dsl, "governors' report exported").get()
    assert "term=Autumn" in entry.additional_data["filters"]


def test_governors_report_headings_line_up_with_their_numbers(
    verified_client, seeded, dsl
):
    """The headings "This term" and "Previous term" end where their numbers end (the
    numbers are right-aligned; the headings were left-aligned above them)."""
    import pypdf

    response = verified_client(dsl).get(
        REPORTS + "governors.pdf", {"term": "Autumn 1 2026"}
    )
    page = pypdf.PdfReader(io.BytesIO(response.content)).pages[0]
    lines = page.extract_text(extraction_mode="layout").splitlines()
    heading = next(line for line in lines if "This term" in line)
    total = next(line for line in lines if line.strip().startswith("Concerns "))
    # Positions in characters, estimated from the fonts' average widths (the headings
    # are bold): a few characters out at most; left-aligned headings were 16 out.
    assert abs(heading.rstrip().rfind("term") + 4 - len(total.rstrip())) <= 4, (
        f"\n{heading}\n{total}"
    )
    this_term_end = heading.find("This term") + len("This term")
    first_number = re.search(r"Concerns\s+(\S.*?\S)\s{2,}", total)
    assert first_number, total
    assert abs(first_number.end(1) - this_term_end) <= 4, f"\n{heading}\n{total}"
