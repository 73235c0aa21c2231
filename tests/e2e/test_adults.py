"""An allegation about a member of staff, worked by the head in the admin: the
LADO referral due within one working day, the LADO's advice, the strategy
discussion, the employer's actions and an outcome sent back without its
rationale (what was typed kept), then recorded. The DSL's child's file says only
that a concern about an adult exists.

The concern is opened from the server's shell through concern_open (the report
form's fields for the adult are built elsewhere)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from . import test_concern_forms as concern_forms
from .test_casework import messages, new_page, shot, step_form, task_row

pytestmark = pytest.mark.e2e
__all__ = ["shot"]  # the fixture, imported for the tests here

OPEN_ALLEGATION = (
    "import uuid; from django.utils import timezone; "
    "from accounts.models import User; from records.models import Pupil, "
    "InvolvementRole, Concern; from records.services import Involvement; "
    "from taxonomy.models import Term; "
    "from workflows.services import concern_open; "
    "p = Pupil.objects.filter(school__urn='990001').order_by('pk').first(); "
    "staff = User.objects.get(username='staff.oakfield'); "
    "teacher = User.objects.get(username='dsl.oakfield'); "
    "c, _ = concern_open(school=p.school, recorded_by=staff, "
    "submission_key=uuid.uuid4(), "
    "involvements=[Involvement(pupil=p, role=InvolvementRole.SUBJECT)], "
    "primary_category=Term.objects.filter(vocabulary='category').first(), "
    "location=Term.objects.filter(vocabulary='location').first(), "
    "route=Concern.Route.HEAD, form_title='General concern', "
    "occurred_on=timezone.localdate(), "
    "what_happened='Synthetic: an adult grabbed a child by the arm in the corridor.', "
    "child_voice='', immediate_risk=False, "
    "about_adult={'kind': 'allegation', 'person': teacher, "
    "'name': teacher.get_full_name(), 'role': 'staff', "
    "'reporter_relationship': 'Colleague'}); "
    "print(c.reference, p.pk)"
)
RATIONALE = (
    "Two colleagues saw it and the child's account has stayed the same; the "
    "adult accepts the contact but there is no evidence that it was deliberate."
)


def test_the_head_refers_to_the_lado_and_records_advice_and_outcome(
    browser, server, shot
):
    reference, pupil_pk = (
        server.manage("shell", "-v", "0", "-c", OPEN_ALLEGATION).strip().split()
    )
    today = timezone.localdate()

    head = new_page(browser, server)
    concern_forms.sign_in(head, server, "head.oakfield")
    head.goto("/admin/casework/team-queue/")
    row = task_row(head, reference)
    expect(row).to_contain_text("Refer to the LADO")
    shot(head, "01-head-team-queue")
    row.get_by_role("button", name="Claim").click()
    expect(messages(head)).to_contain_text("The task is yours.")

    # 1. The LADO referral, due within one working day ---------------------------
    refer = step_form(head, "refer_lado")
    expect(head.locator("[data-lado-due]")).to_contain_text("within one working day")
    refer.get_by_label("LADO spoken to or written to").fill("Pat Okafor, Northshire")
    refer.get_by_role("radio", name="Telephone").check()
    refer.get_by_label("What the LADO was told").fill(
        "The allegation as reported, the child's name and what was seen."
    )
    shot(head, "02-refer-to-the-lado")
    refer.get_by_role("button", name="Record the referral").click()
    expect(messages(head)).to_contain_text(f"LADO referral recorded for {reference}.")

    # 2. The LADO's advice, with its reasons --------------------------------------
    advice = step_form(head, "lado_advice")
    expect(head.locator("[data-lado-referral]")).to_contain_text("Pat Okafor")
    advice.get_by_role("radio", name=re.compile("^The employer investigates")).check()
    advice.get_by_label("The reasons the LADO gave").fill(
        "The LADO judged no offence is likely and social care need not act, so "
        "the school investigates under its own procedures and reports back."
    )
    shot(head, "03-lado-advice")
    advice.get_by_role("button", name="Record the advice").click()
    expect(messages(head)).to_contain_text("The LADO's advice is recorded")

    # 3. Strategy discussion: not held, and why -----------------------------------
    strategy = step_form(head, "strategy")
    strategy.locator("input[name=held][value=no]").check()
    strategy.get_by_label("Decisions, or why no strategy discussion was held").fill(
        "The LADO advised the employer investigates: police and children's social "
        "care have no part, so no strategy discussion was needed."
    )
    strategy.get_by_role("button", name="Record the strategy discussion").click()
    expect(messages(head)).to_contain_text("Strategy discussion recorded")

    # 4. The employer's actions: suspension considered ----------------------------
    actions = step_form(head, "employer_actions")
    actions.locator("input[name=suspended][value=no]").check()
    actions.get_by_label("Why suspension was, or was not, the answer").fill(
        "Redeployed to duties away from the child with a colleague present: a "
        "reasonable alternative to suspension while we investigate."
    )
    actions.get_by_role("button", name="Record the employer's actions").click()
    expect(messages(head)).to_contain_text("Employer's actions recorded")

    # 5. The outcome: without its rationale it is sent back, what was typed kept --
    outcome = step_form(head, "outcome")
    outcome.get_by_role("radio", name=re.compile("^Unsubstantiated")).check()
    outcome.get_by_role("button", name="Record the outcome").click()
    expect(head.locator("[data-form-errors]")).to_contain_text("Nothing was saved")
    outcome = step_form(head, "outcome")
    expect(
        outcome.get_by_role("radio", name=re.compile("^Unsubstantiated"))
    ).to_be_checked()
    shot(head, "04-outcome-needs-rationale")
    outcome.get_by_label("Why this outcome").fill(RATIONALE)
    outcome.get_by_role("button", name="Record the outcome").click()
    expect(messages(head)).to_contain_text(f"Outcome recorded for {reference}")

    # The case manager's list: closed, kept 10 years --------------------------------
    head.goto("/admin/casework/adults/")
    closed = head.locator("[data-cases='closed'] tr", has_text=reference)
    expect(closed).to_contain_text("Unsubstantiated")
    expect(closed).to_contain_text(str(today.year + 10))
    shot(head, "05-concerns-about-adults")
    closed.get_by_role("link", name=reference).click()
    expect(head.locator("[data-outcome]")).to_contain_text("Unsubstantiated")
    expect(head.locator("[data-retention]")).to_contain_text(
        "10 years from the allegation"
    )
    shot(head, "06-the-case")
    head.context.close()

    # The DSL named in it sees no notice, no task, no content ---------------------
    dsl = new_page(browser, server)
    concern_forms.sign_in(dsl, server, "dsl.oakfield")
    dsl.goto(f"/admin/files/{pupil_pk}/")
    expect(dsl.locator("[data-adult-concern-notice]")).to_have_count(0)
    expect(dsl.locator("body")).not_to_contain_text("grabbed a child by the arm")
    dsl.goto("/admin/casework/team-queue/")
    expect(dsl.locator("body")).not_to_contain_text(reference)
    shot(dsl, "07-named-dsl-sees-nothing")
    dsl.context.close()

    # A deputy DSL reads the child's file: only that a concern exists -------------
    deputy = new_page(browser, server)
    concern_forms.sign_in(deputy, server, "deputy.oakfield")
    deputy.goto(f"/admin/files/{pupil_pk}/")
    expect(deputy.locator("[data-adult-concern-notice]")).to_contain_text(
        "A concern about an adult involves this child"
    )
    expect(deputy.locator("body")).not_to_contain_text("grabbed a child by the arm")
    shot(deputy, "08-deputy-childs-file-notice")
    deputy.context.close()
