"""Roles in a real browser: the Oakfield DSL finds who holds which role, gives a
colleague from Hillside a staff role at Oakfield (after a mistyped username is
refused with what she typed kept), and takes it away again; the head sees the
list but cannot change it."""

import re

import pytest
from playwright.sync_api import expect

from .test_casework import menu, messages, new_page, shot  # noqa: F401 (fixture)
from .test_concern_forms import sign_in

pytestmark = pytest.mark.e2e


def test_a_dsl_gives_and_takes_away_a_role(browser, server, shot):  # noqa: F811
    dsl = new_page(browser, server)
    sign_in(dsl, server, "dsl.oakfield")
    menu(dsl, "Roles")
    dsl.get_by_label("Role").select_option(label="Deputy DSL")
    dsl.get_by_role("button", name="Filter").click()
    rows = dsl.locator("[data-role-list] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("deputy.oakfield")
    shot(dsl, "1-dsl-roles-filtered")

    dsl.get_by_role("link", name="Give a role").click()
    dsl.get_by_label("Username or email").fill("staff.hillsde")
    dsl.get_by_role("combobox", name=re.compile("^Role")).select_option(label="Staff")
    dsl.get_by_role("button", name="Give the role").click()
    expect(dsl.get_by_text("Nothing was saved")).to_be_visible()
    expect(dsl.get_by_text("No account with the username or email")).to_be_visible()
    expect(dsl.get_by_label("Username or email")).to_have_value("staff.hillsde")
    expect(dsl.get_by_role("combobox", name=re.compile("^Role"))).to_have_value("staff")
    shot(dsl, "2-dsl-mistyped")
    dsl.get_by_label("Username or email").fill("staff.hillside")
    dsl.get_by_role("button", name="Give the role").click()
    expect(messages(dsl)).to_contain_text("is now Staff at Oakfield")
    given = dsl.locator("[data-role-list] tbody tr", has_text="staff.hillside")
    expect(given).to_contain_text("Staff")
    shot(dsl, "3-dsl-given")

    head = new_page(browser, server)
    sign_in(head, server, "head.oakfield")
    menu(head, "Roles")
    expect(head.locator("[data-role-list]")).to_contain_text("staff.hillside")
    expect(head.get_by_role("link", name="Give a role")).to_have_count(0)
    expect(head.get_by_role("link", name="Take away")).to_have_count(0)
    shot(head, "4-head-sees-roles")

    given.get_by_role("link", name="Take away").click()
    expect(dsl.get_by_role("heading", level=1)).to_contain_text("Take Staff away")
    shot(dsl, "5-dsl-confirm")
    dsl.get_by_role("button", name="Yes, take it away").click()
    expect(messages(dsl)).to_contain_text("is no longer Staff at Oakfield")
    expect(
        dsl.locator("[data-role-list] tbody tr", has_text="staff.hillside")
    ).to_have_count(0)
