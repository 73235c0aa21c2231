"""Roles and oversight in a real browser: the Oakfield DSL finds who holds which
role; naming someone from Hillside gets the same answer as a mistyped username;
she proposes a colleague as deputy, which waits; the head confirms it on its own
page; the head then reads the school's audit log and break-glass register, and
the trust lead reads both schools'."""

import re

import pytest
from playwright.sync_api import expect

from .test_casework import menu, messages, new_page, shot  # noqa: F401 (fixture)
from .test_concern_forms import sign_in

pytestmark = pytest.mark.e2e
# Links on the dashboard shorter than 24 px (WCAG 2.5.8 target size).
SMALL_LINKS = """
() => [...document.querySelectorAll(".w-dashboard a")]
  .filter((a) => a.checkVisibility() && a.getBoundingClientRect().height < 24)
  .map((a) => `${a.innerText.trim()} ${a.getBoundingClientRect().height}`)
"""


def test_a_dsl_proposes_a_deputy_and_the_head_confirms(
    browser,
    server,
    shot,  # noqa: F811
):
    dsl = new_page(browser, server)
    sign_in(dsl, server, "dsl.oakfield")
    assert dsl.evaluate(SMALL_LINKS) == []
    menu(dsl, "Roles")
    dsl.get_by_label("Role").select_option(label="Deputy DSL")
    dsl.get_by_role("button", name="Filter").click()
    rows = dsl.locator("[data-role-list] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("deputy.oakfield")
    shot(dsl, "1-dsl-roles-filtered")

    dsl.get_by_role("link", name="Give a role").click()
    role = dsl.get_by_role("combobox", name=re.compile("^Role"))
    dsl.get_by_label("Username or email").fill("staff.hillside")
    role.select_option(label="Deputy DSL")
    dsl.get_by_role("button", name="Give the role").click()
    expect(dsl.get_by_text("Nothing was saved")).to_be_visible()
    expect(dsl.get_by_text("No one with the username or email")).to_be_visible()
    expect(dsl.get_by_label("Username or email")).to_have_value("staff.hillside")
    expect(role).to_have_value("deputy_dsl")
    shot(dsl, "2-dsl-other-school-same-answer")

    dsl.get_by_label("Username or email").fill("staff.oakfield")
    dsl.get_by_role("button", name="Give the role").click()
    expect(messages(dsl)).to_contain_text(
        "will be Deputy DSL at Oakfield Primary School (demo) once a second person"
    )
    expect(dsl.locator("[data-roles-waiting]")).to_contain_text("Alex Morgan")
    shot(dsl, "3-dsl-proposed-waiting")

    head = new_page(browser, server)
    sign_in(head, server, "head.oakfield")
    assert head.evaluate(SMALL_LINKS) == []
    menu(head, "Roles")
    waiting = head.locator("[data-roles-to-decide]")
    expect(waiting).to_contain_text("Alex Morgan as Deputy DSL")
    head.get_by_role("link", name="Confirm or decline").click()
    expect(head.get_by_role("heading", level=1)).to_contain_text(
        "Confirm Alex Morgan as Deputy DSL?"
    )
    expect(head.locator("[data-role-decide]")).to_contain_text("Jordan Ellis")
    shot(head, "4-head-confirm-page")
    head.get_by_role("button", name="Confirm the role").click()
    expect(messages(head)).to_contain_text("Alex Morgan is now Deputy DSL")
    shot(head, "5-head-confirmed")

    menu(head, "Audit log")
    expect(head.locator("[data-audit-entries]")).to_contain_text("Membership")
    shot(head, "6-head-audit-log")
    menu(head, "Break-glass register")
    expect(head.locator("[data-break-glass-register]")).to_be_visible()
    shot(head, "7-head-break-glass-register")

    lead = new_page(browser, server)
    sign_in(lead, server, "lead.trust")
    menu(lead, "Audit log")
    expect(lead.get_by_label("Done by")).to_contain_text("Sam Okafor")  # Hillside
    shot(lead, "8-trust-lead-audit-log")
