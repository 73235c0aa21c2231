"""A referral the agency leaves unanswered (issue 21): the DSL logs a chase, then
records "no response — escalated", and the concern moves on to closure. The
follow-up page is checked by axe-core in each state and photographed."""

import pytest
from playwright.sync_api import expect

from . import test_concern_forms as concern_forms
from .test_casework import messages, new_page, shot, step_form, task_row  # noqa: F401

pytestmark = pytest.mark.e2e

# A concern at Oakfield, triaged and referred to children's social care by the demo
# DSL, its follow-up hers: made with the same services the pages call.
SETUP = """
from accounts.models import User
from records.models import Pupil
from tests import builders
dsl = User.objects.get(username="dsl.oakfield")
staff = User.objects.get(username="staff.oakfield")
child = Pupil.objects.filter(school__urn="990001").order_by("pk")[3]
concern = builders.concern(by=staff, children=[child])
builders.triage(concern, dsl)
builders.decide(concern, dsl, agencies=("csc",))
builders.claim(concern, "follow_up", dsl)
print(concern.reference, child.display_name)
"""
SAID = "Phoned the MASH duty line twice; no decision yet, promised a call back."
WHY = (
    "MASH has not answered in five working days despite two chases; raised with "
    "the team manager under the escalation procedure and asked for a decision."
)


def test_a_silent_agency_is_chased_then_escalated(browser, server, shot):  # noqa: F811
    reference, child = (
        server.manage("shell", "-v", "0", "-c", SETUP).strip().split(" ", 1)
    )
    dsl = new_page(browser, server)
    concern_forms.sign_in(dsl, server, "dsl.oakfield")
    dsl.goto("/admin/casework/my-tasks/")
    row = task_row(dsl, reference, "Referral follow-up")
    expect(row).to_contain_text(child)  # the queue names the child
    row.get_by_role("link", name=reference).click()

    form = step_form(dsl, "follow_up")
    form.get_by_label("Referral made on").fill("2026-12-01")
    form.get_by_label("How", exact=True).select_option(label="Phone call")
    form.get_by_label("How you contacted them").select_option(label="Phone call")
    form.get_by_label("Who you spoke to or wrote to").fill("MASH duty worker")
    form.get_by_label("What was said").fill(SAID)
    shot(dsl, "01-chase-typed")
    form.get_by_role("button", name="Log this contact — still waiting").click()
    expect(messages(dsl)).to_contain_text("logged. The task stays open.")
    expect(dsl.locator("[data-contact]")).to_contain_text(SAID)
    shot(dsl, "02-chase-logged")

    form = step_form(dsl, "follow_up")
    form.get_by_label("Agency's outcome").select_option(label="No response — escalated")
    form.get_by_role("button", name="Response recorded — complete follow-up").click()
    form = step_form(dsl, "follow_up")
    expect(form).to_contain_text("Say to whom you escalated it.")
    expect(form.get_by_label("Agency's outcome")).to_have_value("no_response")
    shot(dsl, "03-escalation-needed")

    form.get_by_label("Escalated on").fill("2026-12-07")
    form.get_by_label("Escalated to").fill("MASH team manager")
    form.locator("textarea[name=escalation_reason]").fill(WHY)
    form.get_by_role("button", name="Response recorded — complete follow-up").click()
    expect(messages(dsl)).to_contain_text("Next: Closure — it is yours now")
    history = dsl.locator("[data-history]")
    expect(history.locator("[data-event='contact']")).to_contain_text(SAID)
    expect(history.locator("[data-event='referral']")).to_contain_text(
        "No response — escalated"
    )
    shot(dsl, "04-closure-next")
    dsl.context.close()
