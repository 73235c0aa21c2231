"""A teacher reports an allegation about the DSL on the school's form; the head,
not the DSL, receives it and works it in the admin: the LADO referral due within
one working day, the LADO's advice, the strategy discussion, the employer's
actions and an outcome sent back without its rationale (what was typed kept), then
recorded. The DSL sees nothing of it at any point: not when it arrives, not while
it is worked, not once it is closed. A deputy's view of the child's file says only
that a concern about an adult exists."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from . import test_concern_forms as concern_forms
from .test_casework import messages, new_page, shot, step_form, task_row

pytestmark = pytest.mark.e2e
__all__ = ["shot"]  # the fixture, imported for the tests here

LOOKUP = (
    "from records.models import Pupil; "
    "p = Pupil.objects.filter(school__urn='990001').order_by('pk').first(); "
    "print(p.pk, p.upn, p.display_name)"
)
WHAT = "Synthetic: an adult grabbed a child by the arm in the corridor."
RATIONALE = (
    "Two colleagues saw it and the child's account has stayed the same; the "
    "adult accepts the contact but there is no evidence that it was deliberate."
)


def report_about_the_dsl(browser, server, shot, upn, name):
    """staff.oakfield reports an allegation about the DSL (Jordan Ellis) on the
    form for concerns about adults; returns the reference."""
    page = new_page(browser, server)
    concern_forms.sign_in(page, server, "staff.oakfield")
    page.get_by_role("link", name="Low-level concern about an adult").click()
    expect(page.get_by_text("The adult this concern is about")).to_be_visible()
    concern_forms.add_child(page, upn, name)
    page.get_by_label("Allegation that may meet the harm threshold").check()
    page.get_by_label("Who is the adult?").select_option("staff")
    page.get_by_label("The member of staff").select_option(label="Jordan Ellis")
    page.get_by_label("Your relationship to them").fill("Colleague in Year 4")
    page.get_by_label("Date it happened").fill(timezone.localdate().isoformat())
    page.get_by_role("combobox", name=re.compile(r"^Where")).select_option(index=1)
    page.get_by_label("What happened").fill(WHAT)
    page.get_by_label("If you couldn't record the child's voice").fill(
        "The child was not spoken to: the teacher reported what they saw."
    )
    page.locator("input[name=primary_category]").first.check()
    page.locator("input[name=immediate_risk][value=no]").check()
    shot(page, "01-teacher-names-the-dsl")
    page.get_by_role("button", name="Send in confidence to the case manager").click()
    confirmation = page.locator("[data-confirmation]")
    expect(confirmation).to_contain_text("Your concern has been received")
    # References are per school (OAK-000123, issue 22).
    reference = re.search(r"[A-Z][A-Z0-9]{1,5}-\d{6}", confirmation.inner_text())
    reference = reference.group(0)
    page.context.close()
    return reference


def dsl_sees_nothing(browser, server, shot, reference, pupil_pk, name):
    """Everywhere the DSL named in it looks: no reference, no content, no notice,
    and the concern's own page is not found."""
    dsl = new_page(browser, server)
    concern_forms.sign_in(dsl, server, "dsl.oakfield")
    for url in (
        "/admin/",
        reverse("workflows:team_queue"),
        reverse("workflows:my_tasks"),
        reverse("workflows:casework_notifications"),
        reverse("workflows:casework_status"),
        reverse("records_admin:file_detail", args=[int(pupil_pk)]),
    ):
        dsl.goto(url)
        text = dsl.content()
        assert reference not in text and "grabbed a child" not in text, url
    expect(dsl.locator("[data-adult-concern-notice]")).to_have_count(0)
    shot(dsl, f"{name}-named-dsl-sees-nothing")
    concern_pk = server.manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from records.models import Concern; "
        f"print(Concern.objects.get(school_reference='{reference}').pk)",
    ).strip()
    assert dsl.goto(f"/admin/casework/concerns/{concern_pk}/").status == 404
    dsl.context.close()


def test_a_teacher_reports_the_dsl_and_the_head_works_the_allegation(
    browser, server, shot
):
    pupil_pk, upn, name = (
        server.manage("shell", "-v", "0", "-c", LOOKUP).strip().split(" ", 2)
    )
    today = timezone.localdate()
    reference = report_about_the_dsl(browser, server, shot, upn, name)
    dsl_sees_nothing(browser, server, shot, reference, pupil_pk, "02")

    head = new_page(browser, server)
    concern_forms.sign_in(head, server, "head.oakfield")
    head.goto(reverse("workflows:casework_notifications"))
    expect(head.locator("main")).to_contain_text(reference)
    head.goto("/admin/casework/team-queue/")
    row = task_row(head, reference)
    expect(row).to_contain_text("Refer to the LADO")
    shot(head, "03-head-team-queue")
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
    shot(head, "04-refer-to-the-lado")
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
    shot(head, "05-lado-advice")
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
    shot(head, "06-outcome-needs-rationale")
    outcome.get_by_label("Why this outcome").fill(RATIONALE)
    outcome.get_by_role("button", name="Record the outcome").click()
    expect(messages(head)).to_contain_text(f"Outcome recorded for {reference}")

    # The case manager's list: closed, kept 10 years --------------------------------
    head.goto("/admin/casework/adults/")
    closed = head.locator("[data-cases='closed'] tr", has_text=reference)
    expect(closed).to_contain_text("Unsubstantiated")
    expect(closed).to_contain_text(str(today.year + 10))
    shot(head, "07-concerns-about-adults")
    closed.get_by_role("link", name=reference).click()
    expect(head.locator("[data-outcome]")).to_contain_text("Unsubstantiated")
    expect(head.locator("[data-retention]")).to_contain_text(
        "10 years from the allegation"
    )
    shot(head, "08-the-case")
    head.context.close()

    dsl_sees_nothing(browser, server, shot, reference, pupil_pk, "09")

    # A deputy DSL reads the child's file: only that a concern exists -------------
    deputy = new_page(browser, server)
    concern_forms.sign_in(deputy, server, "deputy.oakfield")
    deputy.goto(f"/admin/files/{pupil_pk}/")
    expect(deputy.locator("[data-adult-concern-notice]")).to_contain_text(
        "A concern about an adult involves this child"
    )
    expect(deputy.locator("body")).not_to_contain_text("grabbed a child by the arm")
    shot(deputy, "10-deputy-childs-file-notice")
    deputy.context.close()
