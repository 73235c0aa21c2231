"""The warning before the idle sign-out (WCAG 2.2.1), in chromium: two minutes
before the 15-minute limit an alert dialog takes focus; "Stay signed in" makes a
request the server counts and starts the clock again; "Sign out now" signs out.

The browser's clock is Playwright's (page.clock), fast-forwarded: the server's
session is untouched, so "Stay signed in" must really reach it."""

import re

import pytest
from playwright.sync_api import expect

from .test_concern_forms import sign_in

pytestmark = pytest.mark.e2e


def test_the_idle_warning_keeps_or_ends_the_session(page, server, screenshot):
    sign_in(page, server, "staff.oakfield")
    page.clock.install()
    page.reload()
    warning = page.get_by_role("alertdialog", name="Are you still there?")
    expect(warning).to_be_hidden()

    page.clock.fast_forward("13:01")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(
        "You will be signed out in 2 minutes to protect children's records."
    )
    stay = warning.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    screenshot("warning")
    with page.expect_response(re.compile("/account/keep-alive/$")) as kept:
        stay.click()
    assert kept.value.status == 204
    expect(warning).to_be_hidden()

    page.clock.fast_forward("12:00")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("01:05")
    expect(warning).to_be_visible()
    warning.get_by_role("button", name="Sign out now").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
