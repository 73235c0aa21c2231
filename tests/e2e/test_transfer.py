"""A child moves from Oakfield to Hillside: Oakfield's DSL sends the file by a
one-time link, the link is used once, Hillside's DSL imports the bundle (the child
joined Hillside under a new surname: the import waits for the DSL to compare the
two children and say why they are the same), checks it and records the social
worker conversation; the records arrive as Hillside's own, marked from Oakfield.
The receipt comes back to Oakfield, which records the handover conversation and
completes the transfer a week before the child starts at Hillside: the child stays
in Oakfield's Children's files until then."""

import re
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from . import test_concern_forms as concern_forms
from .test_casework import menu, messages, new_page, shot  # noqa: F401 - fixture

pytestmark = pytest.mark.e2e

CHILD = (
    "from records.models import Concern; "
    "c = Concern.objects.order_by('pk')[2]; "
    "p = c.involvements.get().pupil; "
    "print(p.pk, p.upn, p.first_name, p.last_name, p.date_of_birth.isoformat())"
)
JOINS_HILLSIDE = (
    "import datetime; from accounts.models import School; "
    "from records.services import pupil_upsert; "
    "pupil_upsert(school=School.objects.get(urn='990002'), upn='{upn}', "
    "first_name='{first}', last_name='{last}', "
    "date_of_birth=datetime.date.fromisoformat('{born}'), year_group='7', "
    "date_joined=datetime.date.today())"
)


def test_a_file_goes_from_one_demo_school_to_the_other(
    browser,
    server,
    shot,  # noqa: F811 - the fixture imported above
    tmp_path,
):
    pk, upn, first, last, born = (
        server.manage("shell", "-v", "0", "-c", CHILD).strip().split(" ")
    )
    today = timezone.localdate().isoformat()
    next_week = (timezone.localdate() + timedelta(days=7)).isoformat()
    new_last = f"{last}-Okafor"

    # 1. Oakfield's DSL starts the transfer from the child's file
    oak = new_page(browser, server)
    concern_forms.sign_in(oak, server, "dsl.oakfield")
    oak.goto(f"/admin/files/{pk}/")
    oak.get_by_role("link", name="Transfer the file").click()
    form = oak.locator("[data-file-form=transfer-out]")
    form.get_by_label("New school, if it uses this Chronicle").select_option(
        label="Hillside Academy (demo)"
    )
    form.get_by_label("Starts there on").fill(next_week)
    form.get_by_role("button", name="Save").click()
    expect(messages(oak)).to_contain_text("Transfer started")
    expect(oak.locator("[data-step]")).to_have_text("Send the child protection file")
    expect(oak.locator("[data-deadline]")).to_be_visible()
    shot(oak, "01-oakfield-transfer-started")

    send = oak.locator("[data-form=send]")
    expect(send.get_by_role("radio", name="One-time download link")).to_be_checked()
    send.get_by_role("button", name="Build the bundle and send it").click()
    expect(oak.locator("[data-secret]")).to_be_visible()
    passphrase = oak.locator("[data-passphrase]").inner_text().strip()
    link = oak.locator("[data-link]").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){4}", passphrase)
    expect(oak.locator("[data-step]")).to_have_text("Receipt and handover conversation")
    shot(oak, "02-oakfield-passphrase-and-link-shown-once")

    # 2. The receiving DSL opens the link, no account needed
    anonymous = browser.new_context(accept_downloads=True).new_page()
    anonymous.goto(link)
    expect(
        anonymous.get_by_role("heading", name="Child protection file transfer")
    ).to_be_visible()
    expect(anonymous.locator("main")).not_to_contain_text(last)
    shot(anonymous, "03-receiving-link-page")
    with anonymous.expect_download() as download:
        anonymous.get_by_role("button", name="Download the file (once)").click()
    bundle = tmp_path / "bundle.zip"
    download.value.save_as(bundle)
    assert zipfile.is_zipfile(bundle)
    # The receipt form is there at once, without a reload.
    expect(anonymous.locator("[data-receipt]")).to_be_visible()
    expect(
        anonymous.get_by_role("button", name="Download the file (once)")
    ).to_be_disabled()
    shot(anonymous, "03b-receipt-form-without-reload")
    anonymous.goto(link)
    expect(anonymous.locator("[data-used]")).to_contain_text(
        "cannot be downloaded again"
    )
    shot(anonymous, "04-link-used-once")

    # 3. Hillside's DSL: the child joins, a file is expected, the bundle is imported
    server.manage(
        "shell",
        "-c",
        JOINS_HILLSIDE.format(upn=upn, first=first, last=new_last, born=born),
    )
    hill = new_page(browser, server)
    concern_forms.sign_in(hill, server, "dsl.hillside")
    menu(hill, "Team queue")
    row = hill.locator(
        "[data-task-list] tbody tr", has_text="New pupil: is a file expected?"
    )
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Claim").click()
    expect(hill.locator("[data-step]")).to_have_text("New pupil: is a file expected?")
    expected = hill.locator("[data-form=expected]")
    expected.get_by_role("radio", name=re.compile("^Yes")).check()
    expected.get_by_label("Previous school").fill("Oakfield Primary School (demo)")
    expected.get_by_role("button", name="Save").click()
    expect(hill.locator("[data-step]")).to_have_text("Receive and check the file")

    upload = hill.locator("[data-form=preview]")
    upload.get_by_label("The bundle (.zip) the previous school sent").set_input_files(
        str(bundle)
    )
    upload.get_by_label("Its passphrase").fill("wrong-words-entirely")
    upload.get_by_role("button", name="Check the bundle").click()
    expect(hill.locator("[data-form=preview]")).to_contain_text(
        "passphrase is not right"
    )
    shot(hill, "05-hillside-wrong-passphrase")

    upload = hill.locator("[data-form=preview]")
    upload.get_by_label("The bundle (.zip) the previous school sent").set_input_files(
        str(bundle)
    )
    upload.get_by_label("Its passphrase").fill(passphrase)
    upload.get_by_role("button", name="Check the bundle").click()
    preview = hill.locator("[data-preview]")
    expect(preview).to_contain_text("Every file in it matches its hash")
    expect(hill.locator("[data-identity-mismatch]")).to_contain_text(
        "This may not be the same child"
    )
    compare = hill.locator("[data-identity-compare]")
    expect(compare.locator("[data-differs]")).to_have_count(1)
    expect(compare.locator("[data-field=last_name][data-differs]")).to_contain_text(
        new_last
    )
    expect(compare.locator("[data-field=upn]")).to_contain_text("matches")
    shot(hill, "06-hillside-preview-children-side-by-side")
    confirm = hill.locator("[data-form=import]")
    confirm.get_by_role("button", name="This is the same child").click()
    expect(hill.locator("[data-form=import]")).to_contain_text("does not match")
    confirm = hill.locator("[data-form=import]")
    confirm.get_by_label("How do you know this is the same child?").fill(
        "Mum brought the change of name deed; Oakfield's DSL confirmed by phone."
    )
    shot(hill, "06b-hillside-reason-for-importing")
    confirm.get_by_role("button", name="This is the same child").click()
    expect(messages(hill)).to_contain_text("Imported into the child's file")
    # The signed receipt for Oakfield, to copy or download (here Oakfield is on
    # the same Chronicle and has its receipt already).
    signed = hill.locator("[data-signed-receipt]")
    expect(signed.get_by_label("Receipt code")).to_have_value(
        re.compile(r"^CHRONICLE-RECEIPT-1\.")
    )
    shot(hill, "06c-hillside-signed-receipt-to-send-back")

    check = hill.locator("[data-form=complete_in]")
    check.get_by_role("button", name="The file is in and checked").click()
    expect(hill.locator("[data-form=complete_in]")).to_contain_text(
        "Say what is missing"
    )
    check = hill.locator("[data-form=complete_in]")
    for label in (
        "Everything the previous school said it sent arrived",
        "Social worker's name and contact, if any",
        "Open referrals and their status",
        "A chronology of concerns and actions",
    ):
        check.get_by_label(label).check()
    check.get_by_label("What is missing, and what you are doing about it").fill(
        "No CP plan: none in place (CIN only); confirmed with Oakfield's DSL."
    )
    check.get_by_label("Social worker spoken to").fill("The allocated social worker")
    check.get_by_label("On", exact=True).fill(today)
    check.get_by_label("First conversation with the social worker: what was said").fill(
        "Introduced ourselves; agreed to share the next review date."
    )
    shot(hill, "07-hillside-checklist")
    check.get_by_role("button", name="The file is in and checked").click()
    expect(messages(hill)).to_contain_text("The file is in and checked")
    expect(hill.locator("[data-status-label]")).to_have_text("Complete")

    hill.get_by_role("link", name=f"{first} {new_last}").first.click()
    sheet = hill.locator("#front-heading").locator("..")
    expect(sheet).to_contain_text("Social worker")
    expect(sheet).to_contain_text("from previous schools")
    entries = hill.locator("[data-chronology]")
    expect(entries.locator("[data-imported]").first).to_contain_text(
        "From Oakfield Primary School (demo), received"
    )
    expect(entries).to_contain_text("First conversation with the social worker")
    shot(hill, "08-hillside-file-with-oakfield-records")

    # 4. Oakfield: the receipt came back; record the conversation and complete
    oak.reload()
    expect(oak.locator("[data-receipt-recorded]")).to_contain_text(
        "Imported by the receiving school in Chronicle"
    )
    talk = oak.locator("[data-form=conversation]")
    talk.get_by_label("Spoke to (name, role, school)").fill(
        "Hillside's DSL (Hillside Academy)"
    )
    talk.get_by_label("On", exact=True).fill(today)
    talk.get_by_label("What was shared").fill(
        "The open referral, the social worker's details and the pattern of lateness."
    )
    talk.get_by_role("button", name="Save the conversation").click()
    expect(messages(oak)).to_contain_text("Handover conversation recorded")
    oak.locator("[data-form=complete_out]").get_by_role(
        "button", name="Complete the transfer"
    ).click()
    expect(messages(oak)).to_contain_text("Transfer complete")
    expect(oak.locator("[data-status-label]")).to_have_text("Complete")
    shot(oak, "09-oakfield-transfer-complete")
    # Completed a week early: the child is still on Oakfield's roll.
    oak.goto(f"/admin/files/?q={upn}")
    expect(oak.locator("main")).to_contain_text(last)
    shot(oak, "10-oakfield-child-still-in-childrens-files")
    for page in (oak, hill, anonymous):
        page.context.close()


OAKFIELD_CHILD = (
    "from records.models import Pupil; "
    "p = Pupil.objects.filter(school__urn='990001', date_left__isnull=True, "
    "transfers__isnull=True).order_by('-pk').first(); "
    "print(p.pk, p.last_name)"
)
# What the receiving installation does on import (workflows.transfers.receipt):
# another Chronicle, whose database this one never sees, signs for the bundle it
# opened. Here it is run on the downloaded file with the passphrase.
SIGNED_ELSEWHERE = (
    "import datetime, pathlib; from workflows.transfers import bundle, receipt; "
    "b = bundle.read(pathlib.Path('{path}').read_bytes(), '{passphrase}'); "
    "print(receipt.sign(challenge=b.data['receipt']['challenge'], "
    "reference=b.data['receipt']['reference'], manifest_hash=b.manifest_hash, "
    "received_on=datetime.date.today(), received_by='Rae Moss', role='DSL', "
    "school='Riverside Academy'))"
)
NEW_AT_HILLSIDE = (
    "import datetime; from accounts.models import School; "
    "from records.models import Transfer; from records.services import pupil_upsert; "
    "p, _c = pupil_upsert(school=School.objects.get(urn='990002'), "
    "upn='K801234567890', first_name='Nia', last_name='Brook', "
    "date_of_birth=datetime.date(2014, 5, 6), year_group='7', "
    "date_joined=datetime.date.today()); "
    "print(Transfer.objects.get(pupil__upn='K801234567890', direction='in').pk)"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_signed_receipt_and_a_file_from_a_school_without_chronicle(
    browser,
    server,
    shot,  # noqa: F811 - the fixture imported above
    tmp_path,
):
    pk, last = server.manage("shell", "-v", "0", "-c", OAKFIELD_CHILD).split()
    today = timezone.localdate().isoformat()

    # Oakfield sends a file to a school on another Chronicle, by link.
    oak = new_page(browser, server)
    concern_forms.sign_in(oak, server, "dsl.oakfield")
    oak.goto(f"/admin/files/{pk}/")
    oak.get_by_role("link", name="Transfer the file").click()
    form = oak.locator("[data-file-form=transfer-out]")
    form.get_by_label("New school", exact=True).fill("Riverside Academy")
    form.get_by_label("Starts there on").fill(today)
    form.get_by_role("button", name="Save").click()
    oak.locator("[data-form=send]").get_by_role(
        "button", name="Build the bundle and send it"
    ).click()
    passphrase = oak.locator("[data-passphrase]").inner_text().strip()
    link = oak.locator("[data-link]").inner_text().strip()
    anonymous = browser.new_context(accept_downloads=True).new_page()
    anonymous.goto(link)
    with anonymous.expect_download() as download:
        anonymous.get_by_role("button", name="Download the file (once)").click()
    assert download.value.suggested_filename.startswith("chronicle-transfer-T")
    assert last not in download.value.suggested_filename
    bundle = tmp_path / "bundle.zip"
    download.value.save_as(bundle)
    code = (
        server.manage(
            "shell",
            "-v",
            "0",
            "-c",
            SIGNED_ELSEWHERE.format(path=bundle, passphrase=passphrase),
        )
        .strip()
        .splitlines()[-1]
    )

    # Their DSL emails the receipt back; a changed one is refused.
    oak.reload()
    signed = oak.locator("[data-form=signed_receipt]")
    signed.get_by_label("Signed receipt: paste the code").fill(code[:-4] + "AAAA")
    signed.get_by_role("button", name="Check and record the signed receipt").click()
    expect(oak.locator("[data-form=signed_receipt]")).to_contain_text(
        "has been changed since it was signed"
    )
    shot(oak, "01-oakfield-changed-receipt-refused")
    signed = oak.locator("[data-form=signed_receipt]")
    signed.get_by_label("Signed receipt: paste the code").fill(code)
    signed.get_by_role("button", name="Check and record the signed receipt").click()
    expect(messages(oak)).to_contain_text("The signed receipt checks out")
    expect(oak.locator("[data-receipt-recorded]")).to_contain_text(
        "Signed receipt from the receiving school's Chronicle: Rae Moss"
    )
    shot(oak, "02-oakfield-signed-receipt-recorded")

    # Hillside receives a paper file, scanned, from a school without Chronicle.
    transfer_pk = server.manage("shell", "-v", "0", "-c", NEW_AT_HILLSIDE).split()[-1]
    hill = new_page(browser, server)
    concern_forms.sign_in(hill, server, "dsl.hillside")
    hill.goto(f"/admin/casework/transfers/{transfer_pk}/")
    hill.get_by_role("button", name="Claim this task").click()
    expected = hill.locator("[data-form=expected]")
    expected.get_by_role("radio", name=re.compile("^Yes")).check()
    expected.get_by_label("Previous school").fill("Brook Lane Primary")
    expected.get_by_role("button", name="Save").click()
    expect(hill.locator("[data-step]")).to_have_text("Receive and check the file")
    scan = tmp_path / "brook-lane-cp-file.pdf"
    scan.write_bytes(PDF)
    paper = hill.locator("[data-form=documents]")
    paper.get_by_label("Or: the file as PDF or scans").set_input_files(str(scan))
    paper.get_by_label("Sent by (school)").fill("Brook Lane Primary")
    paper.get_by_label("Their DSL or the person who sent it").fill("Mo Ahmed, DSL")
    paper.get_by_label("Received on").fill(today)
    paper.get_by_role("button", name="Keep these documents").click()
    expect(hill.locator("[data-form=documents]")).to_contain_text(
        "Summarise what the file says"
    )
    shot(hill, "03-hillside-file-without-chronicle-needs-a-summary")
    paper = hill.locator("[data-form=documents]")
    paper.get_by_label("Or: the file as PDF or scans").set_input_files(str(scan))
    paper.get_by_label("Your summary of what the file says").fill(
        "Two concerns in Year 3 about neglect; a CIN plan closed in 2025."
    )
    paper.get_by_role("button", name="Keep these documents").click()
    expect(messages(hill)).to_contain_text("entered in the child's chronology")
    expect(hill.locator("[data-received-without-chronicle]")).to_contain_text(
        "From Brook Lane Primary (sent by Mo Ahmed, DSL), without Chronicle"
    )
    shot(hill, "04-hillside-file-without-chronicle-recorded")
    hill.get_by_role("link", name="Nia Brook").first.click()
    expect(hill.locator("[data-chronology]")).to_contain_text(
        "Child protection file received from Brook Lane Primary"
    )
    shot(hill, "05-hillside-chronology-entry-from-brook-lane")
    for page in (oak, hill, anonymous):
        page.context.close()
