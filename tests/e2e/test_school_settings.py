"""The School settings page and the Form questions report in a browser (axe-core
checks every page state): the trust lead sees that a concern about a head of
Oakfield has nowhere to go (the demo's nominated lead heads both schools and there
is no chair), sets a chair of governors, and the warning goes; the head sees the
settings read-only; the DSL counts the answers to the playground form's own
question."""

import pytest
from playwright.sync_api import expect

from . import test_concern_forms as concern_forms
from .test_casework import messages, new_page, shot

pytestmark = pytest.mark.e2e
__all__ = ["shot"]

WARNING = "has nowhere to go"


def test_the_trust_lead_sets_a_chair_and_the_head_sees_it(browser, server, shot):
    lead = new_page(browser, server)
    concern_forms.sign_in(lead, server, "lead.trust")
    lead.goto("/admin/school-settings/")
    expect(lead.locator("[data-school-settings-list]")).to_contain_text(WARNING)
    lead.get_by_role("link", name="Oakfield Primary School (demo)").click()
    expect(lead.locator("[data-head-concerns-nowhere]")).to_be_visible()
    shot(lead, "01-lead-sees-the-warning")
    form = lead.locator("[data-school-settings-form]")
    form.get_by_label("Chair of governors", exact=True).select_option(
        label="Casey Brooks"
    )
    form.get_by_label("The chair of governors").check()
    form.get_by_label("DfE number").fill("82320")
    form.get_by_role("button", name="Save").click()
    expect(lead.locator("main")).to_contain_text("Seven digits")
    expect(form.get_by_label("Chair of governors", exact=True)).not_to_have_value("")
    shot(lead, "02-a-bad-dfe-number-keeps-what-was-typed")
    form.get_by_label("DfE number").fill("8232000")
    form.get_by_role("button", name="Save").click()
    expect(messages(lead)).to_contain_text("Saved for Oakfield")
    expect(lead.locator("[data-head-concerns-nowhere]")).to_have_count(0)
    expect(lead.locator("[data-case-manager-settings]")).to_contain_text("Casey Brooks")
    shot(lead, "03-chair-set")
    lead.context.close()

    head = new_page(browser, server)
    concern_forms.sign_in(head, server, "head.oakfield")
    expect(head.locator("main")).not_to_contain_text(WARNING)
    head.goto("/admin/school-settings/")
    expect(head.locator("[data-case-manager-settings]")).to_contain_text("Casey Brooks")
    expect(head.locator("[data-school-settings-form]")).to_have_count(0)
    shot(head, "04-head-reads-only")
    head.context.close()

    dsl = new_page(browser, server)
    concern_forms.sign_in(dsl, server, "dsl.oakfield")
    dsl.goto("/admin/safeguarding-reports/form-questions/")
    dsl.get_by_label("Form").select_option(label="Playground concern")
    dsl.get_by_role("button", name="Show").click()
    expect(
        dsl.locator("[data-question-counts], [data-no-questions]").first
    ).to_be_visible()
    shot(dsl, "05-dsl-form-questions")
    dsl.context.close()
