"""A DSL configures their school's form and a category; a member of staff reports a
concern on it."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
LOOKUP = (
    "from forms.models import ConcernFormPage as F; from records.models import Pupil; "
    "print(F.objects.get(slug='playground-concern').pk); "
    "[print(p.upn, p.display_name) for p in "
    "Pupil.objects.filter(school__urn='990001').order_by('pk')[:2]]"
)


# The TOTP step each user last signed in with: django-otp refuses a code from a
# step already used, so a second sign-in within 30 s waits for the next one.
_LAST_STEP: dict[str, int] = {}


def sign_in(page, server, username, *, remember=False):
    block = server.demo_output.split(f"  {username}", 1)[1]
    secret = re.search(r"authenticator secret: (\S+)", block).group(1)
    password = re.search(r"demo user: (\S+)", server.demo_output).group(1)
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if _LAST_STEP.get(username) == int(time.time()) // 30:
        time.sleep(30.5 - time.time() % 30)
    _LAST_STEP[username] = int(time.time()) // 30
    code = f"{TOTP(base64.b32decode(secret)).token():06d}"
    page.get_by_role("textbox", name=re.compile(r"^Code")).fill(code)
    if remember:
        page.get_by_label(re.compile("Remember this device")).check()
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Your roles")).to_be_visible()


def add_child(page, upn, name):
    page.get_by_role("combobox", name="Find a child").fill(upn)
    expect(page.get_by_role("option", name=re.compile(name))).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("[data-children] tbody")).to_contain_text(name)


def test_dsl_configures_and_staff_report_a_concern(browser, server, tmp_path):
    form_id, *pupils = (
        server.manage("shell", "-v", "0", "-c", LOOKUP).strip().splitlines()
    )
    (upn_a, name_a), (upn_b, name_b) = (line.split(" ", 1) for line in pupils)
    shots = _Shots(server)

    dsl = browser.new_context(
        base_url=server.base_url, viewport={"width": 1280, "height": 1000}
    )
    page = dsl.new_page()
    sign_in(page, server, "dsl.oakfield")
    page.goto("/admin/taxonomy/concerncategory/create/")
    page.get_by_role("textbox", name=re.compile("^Name")).fill("Upskirting")
    page.get_by_role("combobox", name="Parent category").select_option(
        label="Child-on-child abuse"
    )
    page.get_by_role("textbox", name="Definition").fill(
        "Taking a picture under a person's clothing without their permission."
    )
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_role("link", name="Child-on-child abuse › Upskirting")
    ).to_be_visible()
    shots.take(page, "1-dsl-added-sub-category")

    page.goto(f"/admin/pages/{form_id}/edit/")
    page.get_by_role("button", name=re.compile("Add question", re.I)).click()
    page.locator("#id_form_fields-1-label").fill("Which lesson or break was it?")
    page.locator("#id_form_fields-1-field_type").select_option("singleline")
    shots.take(page, "2-dsl-adds-question")
    page.locator("[data-w-dropdown-target='toggle']").last.click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("has been published")).to_be_visible()
    dsl.close()

    staff = browser.new_context(
        base_url=server.base_url, viewport={"width": 1280, "height": 1000}
    )
    page = staff.new_page()
    sign_in(page, server, "staff.oakfield")
    page.get_by_role("link", name="Playground concern").click()
    add_child(page, upn_a, name_a)
    add_child(page, upn_b, name_b)
    page.locator("select[name=pupil_role]").nth(1).select_option("alleged_perpetrator")
    page.get_by_label("Date it happened").fill("2026-11-27")
    page.get_by_role("combobox", name=re.compile(r"^Where")).select_option(
        label="Playground"
    )
    page.get_by_label("What happened").fill(
        "Synthetic: a phone held low near the slide."
    )
    page.get_by_label("What the child said").fill("'He put his phone under my skirt.'")
    page.get_by_role("radio", name="Upskirting").check()
    page.locator("input[name=immediate_risk][value=no]").check()
    page.get_by_label("Which lesson or break was it?").fill("Lunch break")
    expect(page.locator("[data-draft-status]")).to_contain_text(
        "Draft saved at", timeout=15_000
    )
    page.reload()  # a stray refresh: what was typed comes back from the draft
    expect(page.locator("[data-draft-restored]")).to_be_visible()
    expect(page.get_by_label("What happened")).to_have_value(
        "Synthetic: a phone held low near the slide."
    )
    expect(page.locator("[data-children] tbody tr")).to_have_count(2)
    note = tmp_path / "note.pdf"
    note.write_bytes(PDF)
    page.locator("[data-fold=files] summary").click()  # optional: folded
    page.get_by_label("Attach files").set_input_files(str(note))
    shots.take(page, "3-staff-fills-form")
    page.get_by_role("button", name="Send to the safeguarding team").click()

    confirmation = page.locator("[data-confirmation]")
    expect(confirmation).to_contain_text("Your concern has been received")
    reference = re.search(r"[A-Z][A-Z0-9]{1,5}-\d{6}", confirmation.inner_text()).group(
        0
    )
    shots.take(page, "4-confirmation")
    page.get_by_role("link", name="See my reports").click()
    expect(page.locator("[data-my-reports]")).to_contain_text(reference)
    expect(page.locator("[data-my-reports]")).to_contain_text("Received")
    shots.take(page, "5-my-reports")
    staff.close()

    stored = server.manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from records.models import Concern; "
        f"c = Concern.objects.get(school_reference='{reference}'); "
        "print(sorted((i.pupil.upn, i.role) for i in c.involvements.all())); "
        "print(c.primary_category_name); print(c.attachments.count()); "
        "print(c.answers)",
    )
    assert f"('{upn_b}', 'alleged_perpetrator')" in stored
    assert f"('{upn_a}', 'subject')" in stored
    assert "Child-on-child abuse › Upskirting" in stored
    assert "Which lesson or break was it?" in stored and "Lunch break" in stored
    assert "\n1\n" in stored  # the attached file


class _Shots:
    def __init__(self, server):
        from .conftest import SCREENSHOTS

        SCREENSHOTS.mkdir(exist_ok=True)
        self.folder = SCREENSHOTS

    def take(self, page, name):
        page.screenshot(path=str(self.folder / f"concern-{name}.png"), full_page=True)
