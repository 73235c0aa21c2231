"""Issue 5, in the browser: a DSL opens a child's file with a long history, filters
the chronology, adds a meeting note and an addendum, exports the PDF (which opens and
holds the entries) and reads the front sheet. Screenshots of the file and of the PDF's
first page."""

import re
from datetime import timedelta

import pypdfium2 as pdfium
import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from demo.casework import RATIONALE

from . import test_concern_forms as concern_forms
from .conftest import SCREENSHOTS
from .test_casework import menu, messages, new_page, shot  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e

HISTORY_NOTES = 30

# The demo's referral child (concern "referral" of Oakfield, made by the demo DSL),
# given a long history: 30 synthetic notes over the last two years, recorded through
# the service as dsl.oakfield. Prints what the test needs to find the child.
LONG_HISTORY = f"""
import uuid
from datetime import datetime, time, timedelta
from django.utils import timezone
from accounts.models import User
from demo.casework import NAMESPACE
from records import services
from records.models import Concern, FileNote

concern = Concern.objects.get(submission_key=uuid.uuid5(NAMESPACE, "990001-referral"))
pupil = concern.involvements.get().pupil
dsl = User.objects.get(username="dsl.oakfield")
kinds = [k for k in FileNote.Kind.values if k != "document"]
today = timezone.localdate()
for n in range(1, {HISTORY_NOTES} + 1):
    services.file_note_add(
        pupil=pupil,
        user=dsl,
        kind=kinds[n % len(kinds)],
        title=f"Synthetic history note {{n:02d}}",
        occurred_at=timezone.make_aware(
            datetime.combine(today - timedelta(days=100 + 21 * n), time(9, 15))
        ),
        people="Synthetic: class teacher, family support worker",
        body=f"Synthetic: entry {{n}} of a long history; attendance and presentation "
        "discussed, nothing new to report.",
        child_voice="'I am fine.'" if n % 5 == 0 else "",
    )
print(pupil.pk, pupil.upn, concern.reference, pupil.last_name)
print(pupil.first_name, pupil.last_name)
print(pupil.display_name)
"""


def entries(page):
    return page.locator("[data-chronology] > [data-entry]")


def test_a_dsl_works_a_childs_file_with_a_long_history(
    browser,
    server,
    shot,  # noqa: F811 (the fixture of test_casework, imported above)
    tmp_path,
    request,
):
    first, full_name, name = (
        server.manage("shell", "-v", "0", "-c", LONG_HISTORY).strip().splitlines()
    )
    pk, upn, reference, last_name = first.split(" ", 3)
    now = timezone.localtime()

    # 1. The DSL finds the file and reads the front sheet ---------------------------
    dsl = new_page(browser, server)
    concern_forms.sign_in(dsl, server, "dsl.oakfield")
    menu(dsl, "Children's files")
    search = dsl.locator("main").get_by_role("search")
    search.get_by_label("Name or UPN").fill(last_name)
    search.get_by_role("button", name="Search").click()
    row = dsl.locator("[data-file-list] tbody tr", has_text=upn)
    expect(row).to_have_count(1)
    row.get_by_role("link").click()
    expect(dsl.get_by_role("heading", name=name, level=1)).to_be_visible()
    assert dsl.url.endswith(f"/admin/files/{pk}/")

    front = dsl.locator("[data-front-sheet]")
    expect(front).to_contain_text("Child in need (CIN)")
    expect(front).to_contain_text("Social worker")
    expect(front).to_contain_text("Sam Example (synthetic)")
    expect(front).to_contain_text("Children's social care / MASH")
    expect(front).to_contain_text(reference)
    # The rationale is cut to 30 words on the front sheet: its start is there.
    expect(front).to_contain_text(" ".join(RATIONALE.split()[:12]))
    expect(front).to_contain_text("Same household")
    # 30 synthetic notes, the demo's meeting and call, flag, concern, triage,
    # decision and referral.
    expect(entries(dsl)).to_have_count(HISTORY_NOTES + 2 + 5)
    shot(dsl, "01-file-front-sheet")

    # 2. Only notes, meetings and communications; then everything again -------------
    chronology_filter = dsl.locator("[data-chronology-filter]")
    chronology_filter.get_by_label("Notes, meetings and communications").check()
    chronology_filter.get_by_role("button", name="Filter").click()
    expect(entries(dsl)).to_have_count(HISTORY_NOTES + 2)
    keys = entries(dsl).evaluate_all("els => els.map(el => el.dataset.entry)")
    assert all(key.startswith("note-") for key in keys), keys
    expect(dsl.locator("[data-entry^='decision-']")).to_have_count(0)
    expect(
        chronology_filter.get_by_label("Notes, meetings and communications")
    ).to_be_checked()
    shot(dsl, "02-chronology-notes-only")
    dsl.get_by_role("link", name="Show everything").click()
    expect(entries(dsl)).to_have_count(HISTORY_NOTES + 2 + 5)

    # 3. A meeting note, with the child's voice ---------------------------------------
    dsl.get_by_role("link", name="Add a note, call or document").click()
    expect(dsl.get_by_role("heading", name="Add to the file", level=1)).to_be_visible()
    form = dsl.locator("[data-file-form='note']")
    form.get_by_label("What it is").select_option(label="Meeting notes")
    form.get_by_label("Title").fill("Team around the child meeting")
    met_at = now - timedelta(hours=1)
    form.get_by_label("When").fill(met_at.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Who was involved").fill(
        "Synthetic: Sam Example (social worker), class teacher, mum"
    )
    form.get_by_label("What was said, decided or received").fill(
        "Synthetic: the CIN plan continues; breakfast club every day; the class "
        "teacher will log any change in mood."
    )
    form.get_by_label("The child's voice").fill("'I want to stay at breakfast club.'")
    shot(dsl, "03-meeting-note-form")
    form.get_by_role("button", name="Save").click()
    expect(messages(dsl)).to_contain_text("Added to the file.")
    meeting = entries(dsl).filter(has_text="Team around the child meeting")
    expect(meeting).to_have_count(1)
    expect(meeting.locator(".childfile__kind")).to_have_text("Meeting notes")
    expect(meeting).to_contain_text("With: Synthetic: Sam Example")
    expect(meeting).to_contain_text("Sam Example (social worker)")
    voice = meeting.locator("[data-child-voice]")
    expect(voice).to_contain_text("I want to stay at breakfast club.")
    expect(voice).to_contain_text("The child's voice")  # for screen readers
    expect(meeting.locator(".childfile__when")).to_contain_text(
        met_at.strftime("%H:%M")
    )
    expect(entries(dsl)).to_have_count(HISTORY_NOTES + 2 + 5 + 1)

    # 4. An addendum to the decision; the decision itself is unchanged ----------------
    decision = dsl.locator("[data-entry^='decision-']")
    expect(decision).to_have_count(1)
    expect(decision).to_contain_text(RATIONALE)
    decision.get_by_role("link", name="Add an addendum").click()
    expect(dsl.get_by_role("heading", name="Add an addendum", level=1)).to_be_visible()
    expect(dsl.locator("main")).to_contain_text("Adding to")
    dsl.get_by_label("Why you are adding this").fill("Late information")
    addendum = (
        "Synthetic: the social worker confirmed on the phone that dad had also "
        "been drinking at the weekend; this supported the referral."
    )
    dsl.get_by_role("textbox", name=re.compile(r"^Addendum")).fill(addendum)
    shot(dsl, "04-addendum-form")
    dsl.get_by_role("button", name="Add the addendum").click()
    expect(messages(dsl)).to_contain_text("Addendum added. The record is unchanged.")
    decision = dsl.locator("[data-entry^='decision-']")
    expect(decision.locator("[data-addendum]")).to_have_count(1)
    expect(decision.locator("[data-addendum]")).to_contain_text("Late information")
    expect(decision.locator("[data-addendum]")).to_contain_text(addendum)
    expect(decision.locator("[data-addendum]")).to_contain_text("Jordan Ellis")
    expect(decision).to_contain_text(f"Rationale: {RATIONALE}")
    shot(dsl, "05-file-after-note-and-addendum")

    # 5. The PDF, after saying why -------------------------------------------------
    dsl.locator("[data-export-link]").click()
    expect(dsl.get_by_role("heading", name="Export as PDF", level=1)).to_be_visible()
    export = dsl.locator("form[data-export]")
    reason = "Synthetic: CIN review meeting next week"
    export.get_by_label("Why are you exporting this file?").fill(reason)
    shot(dsl, "06-export-reason")
    with dsl.expect_download() as download_info:
        export.get_by_role("button", name="Export PDF").click()
    download = download_info.value
    assert download.suggested_filename == (
        f"file-{upn}-{timezone.localdate():%Y-%m-%d}.pdf"
    )
    pdf_path = tmp_path / download.suggested_filename
    download.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")

    reader = PdfReader(pdf_path)
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", " ", text)
    assert len(reader.pages) >= 2, len(reader.pages)
    assert full_name in flat
    assert name in flat  # the footer of every page
    assert "Front sheet" in flat
    assert "Child in need (CIN)" in flat
    assert "Sam Example (synthetic)" in flat
    assert "Team around the child meeting" in flat
    assert "I want to stay at breakfast club." in flat
    assert "Late information" in flat
    assert addendum in flat
    assert RATIONALE in flat
    assert reason in flat
    for n in (1, 15, HISTORY_NOTES):
        assert f"Synthetic history note {n:02d}" in flat
    assert "CIN review meeting" in flat
    assert "filtered: not the whole file" not in flat
    assert "Jordan Ellis" in reader.pages[0].extract_text()

    SCREENSHOTS.mkdir(exist_ok=True)
    first_page = SCREENSHOTS / f"{request.node.name}-07-pdf-page-1.png"
    pdfium.PdfDocument(str(pdf_path))[0].render(scale=1.5).to_pil().save(first_page)

    # 6. The export is in the file's access history, with its reason -----------------
    dsl.goto(f"/admin/files/{pk}/")
    dsl.get_by_role("link", name="Who has viewed this file").click()
    expect(
        dsl.get_by_role("heading", name="Who has viewed this file", level=1)
    ).to_be_visible()
    access = dsl.locator("[data-access] tbody tr")
    exported = access.filter(has_text="file exported as PDF")
    expect(exported).to_have_count(1)
    expect(exported).to_contain_text(reason)
    expect(exported).to_contain_text("Jordan Ellis")
    expect(access.filter(has_text="file read").first).to_be_visible()
    shot(dsl, "08-access-history")
    dsl.context.close()
