"""The concern form sent back with errors, by keyboard and screen reader: focus
goes to the error summary, each link reaches its field, each Remove names its
child."""

import re

import pytest
from playwright.sync_api import expect

from .test_concern_forms import LOOKUP, add_child, sign_in

pytestmark = pytest.mark.e2e


def test_errors_take_focus_and_remove_names_the_child(page, server, screenshot):
    _form_id, *pupils = (
        server.manage("shell", "-v", "0", "-c", LOOKUP).strip().splitlines()
    )
    upn, name = pupils[0].split(" ", 1)
    sign_in(page, server, "staff.oakfield")
    page.get_by_role("link", name="General concern").click()
    add_child(page, upn, name)
    expect(page.get_by_role("button", name=f"Remove {name}")).to_be_visible()

    page.get_by_label("What happened").fill("Synthetic: a bruise on the arm.")
    page.get_by_role("button", name="Send to the safeguarding team").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(page.get_by_role("button", name=f"Remove {name}")).to_be_visible()
    screenshot("summary-focused")
    summary.get_by_role("link", name=re.compile("immediate risk")).click()
    expect(page).to_have_url(re.compile("#id_immediate_risk_0$"))
    expect(page.locator("#id_immediate_risk_0")).to_be_in_viewport()
