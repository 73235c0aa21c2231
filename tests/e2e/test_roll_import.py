"""A DSL imports the roll from a Common Transfer File: the preview shows the decision
first and the changes before anything is written; then she fills the year's bank
holidays and makes a roll sync token."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .test_casework import menu
from .test_concern_forms import sign_in

pytestmark = pytest.mark.e2e

CTF = Path(__file__).resolve().parents[1] / "records" / "ctf"


def test_a_dsl_imports_a_ctf_after_seeing_what_it_changes(page, server, screenshot):
    server.manage("school_set", "990001", "--dfe-number", "8232000")
    sign_in(page, server, "dsl.oakfield")
    page.goto("/admin/files/import/")
    heading = page.get_by_role("heading", name=re.compile("^Import pupils"))
    expect(heading).to_be_visible()
    page.get_by_label("Roll file from the MIS").set_input_files(CTF / "new_roll.xml")
    screenshot("upload")
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("heading", name="Your decision")).to_be_visible()
    expect(page.locator("[data-count=new]")).to_have_text("4")
    screenshot("preview")
    decision = page.locator("[data-import-decision]").bounding_box()
    rows = page.locator("[data-import-rows]").bounding_box()
    assert decision["y"] < rows["y"]
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Import done: 4 new pupils")).to_be_visible()
    screenshot("imported")

    page.goto("/admin/files/import/")
    page.get_by_label("Roll file from the MIS").set_input_files(
        CTF / "other_school.xml"
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text(re.compile("is a CTF for another school"))).to_be_visible()
    screenshot("other-school")


def test_a_dsl_fills_bank_holidays_and_makes_a_roll_token(page, server, screenshot):
    sign_in(page, server, "dsl.oakfield")
    page.goto("/admin/school-calendar/")
    page.get_by_label("Bank holidays of").select_option("scotland")
    page.get_by_role("combobox", name=re.compile("^Year")).select_option("2027")
    page.get_by_role("button", name="Add bank holidays").click()
    done = page.get_by_text(re.compile("Scotland bank holidays for 2027"))
    expect(done).to_be_visible()
    screenshot("bank-holidays")

    menu(page, "Roll sync tokens")
    page.get_by_role("textbox", name=re.compile("^Name")).fill("Arbor nightly")
    page.get_by_role("button", name="Make token").click()
    secret = page.locator("[data-token-secret]").inner_text().strip()
    assert secret.startswith("chs_")
    screenshot("roll-token")
