"""A head opens the reports, narrows them to one category and one term, sees the
charts drawn beside their tables, and downloads the figures as CSV."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from . import test_concern_forms as concern_forms
from .test_casework import menu, new_page, shot  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e

DRAWN = """canvas => {
    const { width, height } = canvas;
    const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) painted++; }
    return { width, height, painted };
}"""


DEMO_TERM = (
    "from accounts.models import SchoolTerm; from records.models import Concern; "
    "c = Concern.objects.filter(school__urn='990001').order_by('pk').first(); "
    "print(SchoolTerm.objects.get(school=c.school, starts_on__lte=c.occurred_on, "
    "ends_on__gte=c.occurred_on).name)"
)


def test_head_filters_the_report_sees_the_chart_and_downloads_csv(
    browser,
    server,
    shot,  # noqa: F811 (the fixture of test_casework, imported above)
):
    page = new_page(browser, server)
    concern_forms.sign_in(page, server, "head.oakfield")
    menu(page, "Reports")
    expect(page.locator("[data-section=totals]")).to_be_visible()

    # One category and one term (the demo's concerns all happened on the last
    # school day, in the term this asks for): the neglect concern left at the
    # school gate.
    term = server.manage("shell", "-v", "0", "-c", DEMO_TERM).strip()
    page.get_by_label("Categories").select_option(label="Neglect")
    page.get_by_label("School term").select_option(term)
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"term=" + re.escape(term.replace(" ", "+"))))
    expect(page.locator("[data-report-summary]")).to_contain_text("Categories: Neglect")
    totals = page.locator("[data-table=totals] tbody tr", has_text="Concerns")
    expect(totals).to_contain_text("1")
    location = page.locator("[data-table=location]")
    expect(location).to_contain_text("School gate")
    expect(location).not_to_contain_text("Playground")

    chart = page.locator("canvas[data-chart=category]")
    expect(chart).to_have_attribute("data-drawn", "true")
    drawn = chart.evaluate(DRAWN)
    assert drawn["width"] > 100 and drawn["height"] > 100
    assert drawn["painted"] > 500, drawn  # bars and axes, not a blank canvas
    expect(page.locator("[data-table=category]")).to_contain_text("Neglect")
    shot(page, "01-head-report-neglect-one-term")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert ["Categories", "Neglect", "", ""] in rows
    assert ["Totals", "Concerns", "1", "0"] in rows
    assert ["By category", "Neglect", "1", "0"] in rows
    assert ["Where", "School gate", "1", "0"] in rows
    assert "Synthetic example" not in text  # counts only, no case content
    page.context.close()
