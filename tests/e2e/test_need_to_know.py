"""Need to know in a real browser: the Oakfield DSL restricts a child's file to
herself; the deputy no longer finds the child, is told a restricted file exists,
and opens it through break-glass, read-only; the DSL sees the access, with the
reason, and lifts the restriction."""

import re

import pytest
from playwright.sync_api import expect

from .test_casework import menu, messages, new_page, shot  # noqa: F401 (fixture)
from .test_concern_forms import sign_in

pytestmark = pytest.mark.e2e

# A child at Oakfield that no other browser test works with: not in the first eight
# (the demo's concerns) and not in Year 6 (the demo's leaver).
CHILD = (
    "from records.models import Pupil; "
    "p = Pupil.objects.filter(school__urn='990001').exclude(year_group='6')"
    ".order_by('-pk').first(); print(p.upn, p.last_name, p.display_name)"
)
REASON = "The child's aunt works in the school office."
GLASS = "The DSL is on a residential trip and the police are asking about this child."


def test_a_restricted_file_and_break_glass(browser, server, shot):  # noqa: F811
    upn, last_name, name = server.manage("shell", "-v", "0", "-c", CHILD).split(" ", 2)
    name = name.strip()

    dsl = new_page(browser, server)
    sign_in(dsl, server, "dsl.oakfield")
    menu(dsl, "Children's files")
    dsl.get_by_label("Name or UPN").fill(upn)
    dsl.locator("#main").get_by_role("button", name="Search").click()
    dsl.get_by_role("link", name=re.compile(last_name)).click()
    dsl.get_by_role("link", name="Restrict access to named people").click()
    # No reason: refused, with what was ticked kept.
    dsl.locator("[data-restrict-form] input[type=checkbox]").first.check()
    dsl.get_by_role("button", name="Restrict access").click()
    expect(dsl.get_by_text("Nothing was saved")).to_be_visible()
    ticked = dsl.locator("[data-restrict-form] input[type=checkbox]").first
    expect(ticked).to_be_checked()  # kept through the error
    ticked.uncheck()  # only the DSL herself, then
    dsl.get_by_label("Why access is restricted").fill(REASON)
    dsl.get_by_role("button", name="Restrict access").click()
    expect(messages(dsl)).to_contain_text("Access restricted")
    expect(dsl.locator("[data-restricted]")).to_contain_text(REASON)
    shot(dsl, "1-dsl-restricted-file")

    deputy = new_page(browser, server)
    sign_in(deputy, server, "deputy.oakfield")
    menu(deputy, "Children's files")
    expect(deputy.locator("[data-restricted-files]")).to_contain_text(
        "1 file at your school is restricted"
    )
    deputy.get_by_label("Name or UPN").fill(upn)
    deputy.locator("#main").get_by_role("button", name="Search").click()
    expect(deputy.locator("[data-no-match]")).to_contain_text("No child matches")
    shot(deputy, "2-deputy-list")

    deputy.goto("/admin/files/")
    deputy.locator("[data-restricted-files]").get_by_role(
        "link", name="break-glass access"
    ).click()
    expect(
        deputy.get_by_role("heading", name="Break-glass access", level=1)
    ).to_be_visible()
    deputy.get_by_label("or the child's UPN").fill(upn)
    deputy.get_by_label("Why you need to see it now").fill("checking")
    deputy.get_by_label(re.compile("I understand")).check()
    deputy.get_by_role("button", name="Open the record").click()
    expect(deputy.get_by_text("Nothing was opened")).to_be_visible()
    expect(deputy.get_by_label("or the child's UPN")).to_have_value(upn)
    deputy.get_by_label("Why you need to see it now").fill(GLASS)
    deputy.get_by_label(re.compile("I understand")).check()
    deputy.get_by_role("button", name="Open the record").click()
    expect(deputy.get_by_role("heading", name=name)).to_be_visible()
    expect(deputy.locator("[data-read-only]")).to_contain_text("read-only")
    expect(
        deputy.get_by_role("link", name="Add a note, call or document")
    ).to_have_count(0)
    shot(deputy, "3-deputy-break-glass")

    dsl.goto("/admin/break-glass/")
    expect(dsl.locator("[data-register]")).to_contain_text(GLASS)
    expect(dsl.locator("[data-register]")).to_contain_text(upn)
    shot(dsl, "4-dsl-register")
    dsl.goto("/admin/casework/notifications/")
    expect(
        dsl.get_by_text(re.compile("used break-glass access to open"))
    ).to_be_visible()
    dsl.goto("/admin/files/")
    dsl.get_by_label("Name or UPN").fill(upn)
    dsl.locator("#main").get_by_role("button", name="Search").click()
    dsl.get_by_role("link", name=re.compile(last_name)).click()
    dsl.locator("[data-restricted]").get_by_role("link", name="Change or lift").click()
    dsl.get_by_label("Why the restriction is lifted").fill("The aunt has left.")
    dsl.get_by_role("button", name="Lift the restriction").click()
    expect(messages(dsl)).to_contain_text("Restriction lifted")

    deputy.goto("/admin/files/")
    expect(deputy.locator("[data-restricted-files]")).to_have_count(0)
