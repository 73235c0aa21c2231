"""Security in a real browser: the Content-Security-Policy breaks nothing (no
violation on the pages staff, DSLs and configurators use), the lockout page, and the
DSL's audit log."""

import re

import pytest
from playwright.sync_api import expect

from .test_casework import menu
from .test_concern_forms import sign_in

pytestmark = pytest.mark.e2e


def watch_csp(page):
    """Collect every CSP violation the browser reports on this page."""
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return violations


def test_the_dsls_pages_run_under_a_strict_policy(page, server, screenshot):
    violations = watch_csp(page)
    sign_in(page, server, "dsl.oakfield")
    for path in [
        "/admin/",
        "/admin/casework/my-tasks/",
        "/admin/casework/team-queue/",
        "/admin/files/",
        "/admin/two-factor-reset/",
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        policy = response.headers["content-security-policy"]
        # django-csp writes the directives in no fixed order: compare them as such.
        directives = dict(
            ([*part.strip().split(" ", 1), ""])[:2]
            for part in policy.split(";")
            if part.strip()
        )
        assert directives.get("script-src") == "'self'", (path, policy)
    menu(page, "Audit log")
    expect(page.locator("[data-audit-entries] tbody tr").first).to_be_visible()
    page.get_by_label("Action").select_option(label="Viewed / security event")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("[data-audit-entries]")).to_contain_text("password accepted")
    screenshot("audit-log")

    assert violations == []


def test_a_configurator_edits_a_concern_form_in_the_page_editor(
    page, server, screenshot
):
    """The page editor is one of the Wagtail areas allowed inline scripts: its
    question list (an InlinePanel) must work."""
    form_id = server.manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from forms.models import ConcernFormPage; "
        "print(ConcernFormPage.objects.get(slug='online-safety').pk)",
    ).strip()
    violations = watch_csp(page)
    sign_in(page, server, "config.oakfield")
    response = page.goto(f"/admin/pages/{form_id}/edit/")
    assert "'unsafe-inline'" in response.headers["content-security-policy"]
    page.get_by_role("button", name=re.compile("Add question", re.I)).click()
    page.locator("#id_form_fields-1-label").fill("Which lesson was it?")
    expect(page.locator("#id_form_fields-1-label")).to_have_value(
        "Which lesson was it?"
    )
    screenshot("page-editor")

    assert violations == []


def test_repeated_wrong_passwords_show_the_lockout_page(page, server, screenshot):
    page.goto("/")
    for _attempt in range(5):
        page.get_by_label("Username").fill("staff.hillside")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        if page.locator("[data-locked-out]").count():
            break

    expect(
        page.get_by_role("heading", name="Sign-in paused for this account")
    ).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Try again in 15 minutes")
    screenshot("locked-out")
