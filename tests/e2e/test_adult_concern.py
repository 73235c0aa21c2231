"""A teacher reports a concern about the DSL: the head, not the DSL, receives it;
the DSL sees nothing of it anywhere they look (queue, tasks, notifications,
status, the child's file) and cannot break glass into it."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .conftest import SCREENSHOTS
from .test_concern_forms import add_child, sign_in

pytestmark = pytest.mark.e2e

LOOKUP = (
    "from records.models import Pupil; "
    "p = Pupil.objects.filter(school__urn='990001').order_by('pk').first(); "
    "print(p.pk, p.upn, p.display_name)"
)
WHAT = "Synthetic: seen alone with a pupil in the store room, door shut."


def new_page(browser, server):
    context = browser.new_context(
        base_url=server.base_url, viewport={"width": 1280, "height": 1000}
    )
    return context, context.new_page()


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"adult-concern-{name}.png"), full_page=True)


def test_a_concern_about_the_dsl_goes_to_the_head_and_the_dsl_sees_nothing(
    browser, server
):
    found = server.manage("shell", "-v", "0", "-c", LOOKUP)
    pk, upn, name = found.strip().split(" ", 2)
    staff, page = new_page(browser, server)
    sign_in(page, server, "staff.oakfield")
    page.get_by_role("link", name="Low-level concern about an adult").click()
    expect(page.get_by_text("The adult this concern is about")).to_be_visible()
    add_child(page, upn, name)
    page.get_by_label("Allegation that may meet the harm threshold").check()
    page.get_by_label("Who is the adult?").select_option("staff")
    page.get_by_label("The member of staff").select_option(label="Jordan Ellis")
    page.get_by_label("Date it happened").fill("2026-11-27")
    page.get_by_role("combobox", name=re.compile(r"^Where")).select_option(index=1)
    page.get_by_label("What happened").fill(WHAT)
    page.get_by_label("If you couldn't record the child's voice").fill(
        "The child was not spoken to."
    )
    page.locator("input[name=primary_category]").first.check()
    page.locator("input[name=immediate_risk][value=no]").check()
    # The relationship is forgotten: a message, and everything typed is kept.
    page.get_by_role("button", name="Send in confidence to the case manager").click()
    expect(page.locator("[data-error-summary]")).to_contain_text(
        "Your relationship to them"
    )
    expect(page.get_by_label("What happened")).to_have_value(WHAT)
    expect(page.get_by_label("The member of staff")).not_to_have_value("")
    shot(page, "1-staff-error-keeps-what-was-typed")
    page.get_by_label("Your relationship to them").fill("Colleague in Year 4")
    shot(page, "2-staff-names-the-dsl")
    page.get_by_role("button", name="Send in confidence to the case manager").click()
    confirmation = page.locator("[data-confirmation]")
    expect(confirmation).to_contain_text("Your concern has been received")
    reference = re.search(r"[A-Z][A-Z0-9]{1,5}-\d{6}", confirmation.inner_text()).group(
        0
    )
    concern_pk = server.manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from records.models import Concern; "
        f"print(Concern.objects.get(school_reference='{reference}').pk)",
    ).strip()
    concern_url = reverse("workflows:casework_concern", args=[int(concern_pk)])
    staff.close()

    head, page = new_page(browser, server)
    sign_in(page, server, "head.oakfield")
    page.goto(reverse("workflows:team_queue"))
    expect(page.get_by_text(reference).first).to_be_visible()
    shot(page, "3-head-queue")
    page.goto(concern_url)
    expect(page.get_by_text(WHAT)).to_be_visible()
    expect(page.locator("[data-about-adult]")).to_contain_text("Jordan Ellis")
    shot(page, "4-head-reads-it")
    head.close()

    dsl, page = new_page(browser, server)
    sign_in(page, server, "dsl.oakfield")
    for url in (
        reverse("workflows:team_queue"),
        reverse("workflows:my_tasks"),
        reverse("workflows:casework_notifications"),
        reverse("workflows:casework_status"),
        reverse("records_admin:file_detail", args=[int(pk)]),
        "/admin/",
    ):
        page.goto(url)
        text = page.content()
        assert reference not in text and WHAT not in text, url
    assert page.goto(concern_url).status == 404
    page.goto(reverse("records_admin:break_glass"))
    page.get_by_label("Concern reference").fill(reference)
    page.get_by_label("Why you need to see it now").fill(
        "Checking whether a concern about me exists, to see what it says."
    )
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Open the record").click()
    expect(
        page.get_by_text("No concern with that reference at this school.")
    ).to_be_visible()
    shot(page, "5-dsl-break-glass-refused")
    dsl.close()
