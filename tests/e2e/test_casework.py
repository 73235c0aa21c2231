"""A concern from the staff member's form to "Closed", worked by the DSL in the admin:
triage, a decision to refer, two referrals followed up, closure; the head sees it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from . import test_concern_forms as concern_forms
from .conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

FIRST_PUPIL = (
    "from records.models import Pupil; "
    "p = Pupil.objects.filter(school__urn='990001').order_by('pk').first(); "
    "print(p.upn, p.display_name)"
)
VIEWPORT = {"width": 1280, "height": 1000}
# What of a task form is cut off at 1280 px: any field, label or help text whose
# right edge passes the edge of the column it is in (which scrolls only up and
# down), or of the window.
CLIPPED = """
(form) => {
  const column = form.closest(".casework-work") || form;
  const edge = Math.min(column.getBoundingClientRect().right, window.innerWidth);
  return [...form.querySelectorAll("input, select, textarea, label, .help, p, legend")]
    .filter((el) => el.checkVisibility() && el.type !== "hidden"
      && el.getBoundingClientRect().right > edge + 0.5)
    .map((el) => `${el.tagName}#${el.id} ${el.getBoundingClientRect().right}`);
}
"""


@pytest.fixture
def shot(request):
    """The `screenshot` fixture's naming and folder, for any of the test's pages (it
    has one browser context per person). The admin scrolls inside <main>, not the
    page, so `full_page` alone shows one screenful: the window is made as tall as
    <main>'s content for the picture."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name):
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        size = page.viewport_size
        height = page.evaluate(
            "() => document.querySelector('main#main')?.scrollHeight ?? 0"
        )
        if height > size["height"]:
            page.set_viewport_size(
                {"width": size["width"], "height": min(height, 8000)}
            )
        # "disabled" finishes the admin's slide-in of messages ("Triage done for …").
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        page.set_viewport_size(size)
        return path

    return take


def new_page(browser, server):
    """A browser of its own for each person, set up as a school's in England would be.
    (Date inputs still draw as mm/dd/yyyy: Chromium takes that from its own UI
    language, which the launch in conftest leaves at en-US.)"""
    context = browser.new_context(
        base_url=server.base_url,
        viewport=VIEWPORT,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    return context.new_page()


# The admin menu's groups (chronicle.menu), opened in turn to find an item.
MENU_GROUPS = ("Casework", "Children", "Reports", "Settings")


def menu(page, name):
    """Follow an admin menu item, opening the group it is in; its label may end in
    a count: "My tasks (2)"."""
    link = page.get_by_role("link", name=re.compile(rf"^{re.escape(name)}"))
    for group in MENU_GROUPS:
        if link.count():
            break
        button = page.get_by_role("button", name=group, exact=True)
        if button.count():
            button.first.click()
            page.wait_for_timeout(300)  # the submenu slides in
    link.first.click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


def messages(page):
    return page.locator(".messages")


def task_row(page, reference, text=None):
    row = page.locator("[data-task-list] tbody tr", has_text=reference)
    return row.filter(has_text=text) if text else row


def step_form(page, step):
    return page.locator(f"[data-step='{step}'] form")


def test_a_concern_is_triaged_referred_followed_up_and_closed(browser, server, shot):
    upn, name = (
        server.manage("shell", "-v", "0", "-c", FIRST_PUPIL).strip().split(" ", 1)
    )
    today = timezone.localdate()  # the server's zone too: both use settings/base.py

    # 1. A member of staff reports the concern --------------------------------------
    staff = new_page(browser, server)
    concern_forms.sign_in(staff, server, "staff.oakfield")
    staff.get_by_role("link", name="General concern").click()
    concern_forms.add_child(staff, upn, name)
    staff.get_by_label("Date it happened").fill(today.isoformat())
    staff.get_by_role("combobox", name=re.compile(r"^Where")).select_option(
        label="Playground"
    )
    staff.get_by_label("What happened").fill(
        "Synthetic: bruising on the forearm noticed at lunch; the child flinched."
    )
    staff.get_by_label("What the child said").fill("'Dad grabbed me when I was late.'")
    staff.get_by_role("radio", name="Physical abuse").check()
    staff.locator("input[name=immediate_risk][value=no]").check()
    shot(staff, "01-staff-fills-form")
    staff.get_by_role("button", name="Send to the safeguarding team").click()
    confirmation = staff.locator("[data-confirmation]")
    expect(confirmation).to_contain_text("Your concern has been received")
    reference = re.search(r"[A-Z][A-Z0-9]{1,5}-\d{6}", confirmation.inner_text()).group(
        0
    )
    shot(staff, "02-staff-confirmation")
    staff.context.close()

    # 2. The DSL triages it ---------------------------------------------------------
    dsl = new_page(browser, server)
    concern_forms.sign_in(dsl, server, "dsl.oakfield")
    menu(dsl, "Team queue")
    row = task_row(dsl, reference)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Triage")
    expect(row).to_contain_text("Oakfield Primary School")
    shot(dsl, "03-dsl-team-queue")
    row.get_by_role("button", name="Claim").click()
    expect(messages(dsl)).to_contain_text("The task is yours.")
    expect(dsl.get_by_role("heading", name="Triage", level=2)).to_be_visible()
    expect(dsl.locator("[data-concern]")).to_contain_text(f"Concern {reference}")
    expect(dsl.locator("[data-concern]")).to_contain_text("bruising on the forearm")
    triage = step_form(dsl, "triage")
    triage.get_by_label("Category").select_option(label="Physical abuse")
    triage.get_by_role("radio", name="Medium", exact=True).check()
    triage.get_by_label("Why this level of risk").fill(
        "Visible bruise and the child names a parent; no injury needing treatment."
    )
    shot(dsl, "04-dsl-triage")
    assert triage.evaluate(CLIPPED) == []
    triage.get_by_role("button", name="Complete triage").click()
    # The same DSL goes straight on to the decision: it is claimed for her.
    expect(messages(dsl)).to_contain_text(f"Triage recorded for {reference}.")
    expect(messages(dsl)).to_contain_text("Next: Decision — it is yours now")
    expect(dsl.locator("[data-owner]")).to_have_text("Jordan Ellis")
    shot(dsl, "05-dsl-decision-after-triage")
    expect(
        dsl.get_by_role("heading", name="Decide, with rationale", level=2)
    ).to_be_visible()

    # 2b. A decision with "NFA" as its reason is sent back, with what was typed kept
    decide = step_form(dsl, "decide")
    review_on = (today + timedelta(days=28)).isoformat()
    decide.get_by_role("radio", name="Refer to other agencies").check()
    decide.get_by_role("checkbox", name="Children's social care / MASH").check()
    decide.get_by_role("checkbox", name="Police", exact=True).check()
    decide.get_by_label("Who was consulted").fill("Deputy DSL (Casey Brooks)")
    decide.get_by_label("Review date").fill(review_on)
    decide.get_by_label("Rationale").fill("NFA")
    decide.get_by_role("button", name="Record the decision").click()

    decide = step_form(dsl, "decide")
    expect(decide).to_contain_text("“NFA” is not a reason")
    expect(decide.get_by_role("radio", name="Refer to other agencies")).to_be_checked()
    expect(
        decide.get_by_role("checkbox", name="Children's social care / MASH")
    ).to_be_checked()
    expect(decide.get_by_role("checkbox", name="Police", exact=True)).to_be_checked()
    expect(decide.get_by_label("Who was consulted")).to_have_value(
        "Deputy DSL (Casey Brooks)"
    )
    expect(decide.get_by_label("Review date")).to_have_value(review_on)
    expect(decide.get_by_label("Rationale")).to_have_value("NFA")
    shot(dsl, "06-dsl-decision-nfa-refused")

    decide.get_by_label("Rationale").fill(
        "A physical injury with a disclosure naming a parent meets the threshold "
        "for a section 47 enquiry; the police need to know of the alleged assault."
    )
    shot(dsl, "07-dsl-decision-with-rationale")
    decide.get_by_role("button", name="Record the decision").click()
    expect(messages(dsl)).to_contain_text(f"Decision recorded for {reference}.")
    expect(messages(dsl)).to_contain_text("Next: Referral follow-up")

    # 3. One follow-up per agency, both now hers: police first, then social care ------
    menu(dsl, "My tasks")
    follow_ups = task_row(dsl, reference, "Referral follow-up")
    expect(follow_ups).to_have_count(2)
    expect(follow_ups.filter(has_text="Police")).to_have_count(1)
    expect(follow_ups.filter(has_text="Children's social care / MASH")).to_have_count(1)
    shot(dsl, "08-dsl-two-follow-ups")

    follow_ups.filter(has_text="Police").get_by_role("link", name=reference).click()
    expect(
        dsl.get_by_role("heading", name="Referral to Police", level=2)
    ).to_be_visible()
    police = step_form(dsl, "follow_up")
    police.get_by_label("Referral made on").fill(today.isoformat())
    police.get_by_label("How", exact=True).select_option(label="Phone call")
    police.get_by_label("Spoke to / sent to").fill("PC Example, safeguarding hub")
    police.get_by_label("Agency reference").fill("POL-0001")
    police.get_by_label("Response received on").fill(today.isoformat())
    police.get_by_label("Agency's outcome").select_option(
        label="Accepted: assessment or investigation"
    )
    police.get_by_label("What the agency said").fill(
        "Joint visit with social care arranged for tomorrow."
    )
    shot(dsl, "09-dsl-police-response")
    assert police.evaluate(CLIPPED) == []
    police.get_by_role("button", name="Response recorded — complete follow-up").click()
    expect(messages(dsl)).to_contain_text(
        f"Referral to Police completed for {reference}."
    )

    task_row(dsl, reference, "Children's social care").get_by_role(
        "link", name=reference
    ).click()
    expect(
        dsl.get_by_role(
            "heading", name="Referral to Children's social care / MASH", level=2
        )
    ).to_be_visible()
    csc = step_form(dsl, "follow_up")
    csc.get_by_label("Referral made on").fill(today.isoformat())
    csc.get_by_label("How", exact=True).select_option(
        label="Online referral form / portal"
    )
    csc.get_by_label("Response received on").fill(today.isoformat())
    csc.get_by_label("Agency's outcome").select_option(
        label="No further action by the agency"
    )
    csc.get_by_role("button", name="Response recorded — complete follow-up").click()

    csc = step_form(dsl, "follow_up")
    expect(csc).to_contain_text(
        "The agency is taking no further action: record their reason."
    )
    expect(csc.get_by_label("Agency's outcome")).to_have_value("nfa")
    expect(csc.get_by_label("Referral made on")).to_have_value(today.isoformat())
    shot(dsl, "10-dsl-csc-nfa-needs-reason")
    csc.get_by_label("The agency's reason").fill(
        "Police investigation leads; social care will review after the joint visit "
        "and step in if the police find grounds."
    )
    csc.get_by_role("button", name="Response recorded — complete follow-up").click()
    expect(messages(dsl)).to_contain_text(
        f"Referral to Children's social care / MASH completed for {reference}."
    )

    # 4. Both referrals are done: the closure is next, hers -------------------------
    expect(messages(dsl)).to_contain_text("Next: Closure — it is yours now")
    expect(
        dsl.get_by_role("heading", name="Close the concern", level=2)
    ).to_be_visible()
    history = dsl.locator("[data-history]")
    expect(history.locator("[data-event='referral']")).to_have_count(2)
    expect(history).to_contain_text("Accepted: assessment or investigation")
    expect(history).to_contain_text("No further action by the agency")
    close = step_form(dsl, "close")
    # What each agency decided, and the review date, are carried into the closure.
    expect(close.get_by_label("Outcome")).to_have_value(re.compile(r"Police: Accepted"))
    expect(close.get_by_label("Review on")).to_have_value(review_on)
    close.get_by_label("Outcome").fill(
        "Police investigating; child seen by the school nurse and supported in class."
    )
    close.get_by_label("Why it can close").fill(
        "The police now lead the case and the school's part is recorded; any new "
        "worry comes in as a new concern."
    )
    sign_off = close.get_by_label("Ask a second DSL to sign off the closure")
    expect(sign_off).not_to_be_checked()
    shot(dsl, "11-dsl-close")
    close.get_by_role("button", name="Close", exact=True).click()
    expect(messages(dsl)).to_contain_text(f"{reference} closed.")
    shot(dsl, "12-dsl-closed")
    dsl.context.close()

    # 5. The head sees it closed ------------------------------------------------------
    head = new_page(browser, server)
    concern_forms.sign_in(head, server, "head.oakfield")
    menu(head, "Workflow status")
    row = head.locator(f"[data-concern-row='{reference}']")
    expect(row).to_be_visible()
    expect(row.locator("td").nth(3)).to_have_text("Closed")  # the Status column
    shot(head, "13-head-workflow-status")
    head.context.close()
