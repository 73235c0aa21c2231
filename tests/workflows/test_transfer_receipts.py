"""What a receiving school can rely on, and what the sender can prove: the open
format (opened by a standard archive tool, named documents, a 100-bit
passphrase, the previous version still read), the signed receipt (verified,
forged, tampered, for another transfer or bundle), the content checks on a
bundle's documents, and a file from a school without Chronicle."""

import base64
import io
import json
import shutil
import subprocess
from datetime import timedelta

import pytest
import pyzipper
from auditlog import get_logentry_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role
from records.chronology import Filters, chronology
from records.models import PreviousSchoolEntry, Transfer, TransferDocument
from workflows import transfers
from workflows.transfers import bundle as bundle_format
from workflows.transfers import receipt

from ..builders import file_note, transfer_claim, transfer_out, transfer_send
from ..factories import PupilFactory
from .test_bundle_damage import repacked

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def leaving(pupil, dsl, private_storage):
    file_note(
        pupil,
        dsl,
        title="Strategy meeting",
        occurred_at=timezone.now() - timedelta(days=2),
        body="Agreed a safety plan with the social worker.",
        attachments=[SimpleUploadedFile("Minutes (final).txt", b"Minutes\n")],
    )
    return pupil


def sent(child, dsl):
    transfer, passphrase, token = transfer_send(transfer_out(child, dsl), dsl)
    content = transfers.link_download(token=token).file.read()
    return transfer, content, passphrase


def received(content, passphrase, *, child, user):
    """Imported at the other school (same database, another school): the
    transfer in, with the signed receipt it made."""
    here = PupilFactory(
        school=user.memberships.get().school,
        upn=child.upn,
        first_name=child.first_name,
        last_name=child.last_name,
        date_of_birth=child.date_of_birth,
    )
    incoming = transfers.transfer_in_start(pupil=here, user=user)
    transfers.expected_answer(
        task=transfer_claim(incoming, "ask_expected", user),
        user=user,
        expected=True,
        other_school_name="Somewhere",
    )
    task = transfer_claim(incoming, "receive_file", user)
    document, _bundle = transfers.bundle_preview(
        transfer=incoming,
        user=user,
        upload=SimpleUploadedFile("bundle.zip", content),
        passphrase=passphrase,
    )
    transfers.bundle_import(
        task=task, user=user, document=document, passphrase=passphrase
    )
    incoming.refresh_from_db()
    return incoming


@pytest.fixture
def their_dsl(make_member, other_school):
    return make_member(Role.DSL, at=other_school)


# The open format -------------------------------------------------------------------


def test_a_standard_archive_tool_opens_the_bundle_with_named_files(
    leaving, dsl, tmp_path
):
    _transfer, content, passphrase = sent(leaving, dsl)
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(content)
    seven = shutil.which("7zz") or shutil.which("7z")
    assert seven, "7-Zip (Debian 7zip or p7zip-full) is needed: .ci/run installs it"
    out = tmp_path / "7zip"
    subprocess.run(
        [seven, "x", f"-p{passphrase}", f"-o{out}", str(archive)],
        check=True,
        capture_output=True,
    )
    opened = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert opened == [
        "README.txt",
        "documents/01-Minutes-final.txt",
        "file.pdf",
        "manifest.json",
        "transfer.json",
    ]
    assert (out / "documents" / "01-Minutes-final.txt").read_bytes() == b"Minutes\n"
    assert (out / "file.pdf").read_bytes().startswith(b"%PDF")
    readme = (out / "README.txt").read_text()
    assert "documents/01-Minutes-final.txt  (Minutes (final).txt)" in readme
    # libarchive's bsdtar (macOS's tar is bsdtar too) opens it the same way.
    bsdtar = shutil.which("bsdtar")
    assert bsdtar, "bsdtar (Debian libarchive-tools) is needed: .ci/run installs it"
    other = tmp_path / "bsdtar"
    other.mkdir()
    subprocess.run(
        [bsdtar, "-x", "-f", str(archive), "--passphrase", passphrase, "-C", other],
        check=True,
        capture_output=True,
    )
    assert (other / "transfer.json").read_bytes() == (
        out / "transfer.json"
    ).read_bytes()
    # A wrong passphrase opens nothing.
    refused = subprocess.run(
        [seven, "x", "-pAAAA-BBBB-CCCC-DDDD-EEEE", f"-o{tmp_path / 'no'}", archive],
        capture_output=True,
    )
    assert refused.returncode != 0


def test_the_passphrase_may_be_typed_as_read_out(leaving, dsl):
    _transfer, content, passphrase = sent(leaving, dsl)
    typed = passphrase.lower().replace("-", " ").replace("0", "o")
    assert bundle_format.read(content, typed).data["version"] == 2
    assert bundle_format.PASSPHRASE_BITS >= 80


def test_the_pdf_lists_every_document(leaving, dsl, tmp_path):
    _transfer, content, passphrase = sent(leaving, dsl)
    pdf = bundle_format.read(content, passphrase).files[bundle_format.PDF]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Documents sent with this file" in text
    assert "Minutes (final).txt" in text
    assert "documents/01-Minutes-final.txt" in text


def test_a_version_1_bundle_is_still_read(leaving, dsl):
    _transfer, content, passphrase = sent(leaving, dsl)
    older = repacked(content, passphrase, 1)
    assert bundle_format.read(older, passphrase).data["version"] == 1


# Signed receipts ---------------------------------------------------------------------


@pytest.fixture
def unreceipted(leaving, dsl, their_dsl):
    """A sent transfer, and the genuine receipt made for it (not yet recorded:
    on one installation the import receipts it at once, so it is undone)."""
    transfer, content, passphrase = sent(leaving, dsl)
    incoming = received(content, passphrase, child=leaving, user=their_dsl)
    Transfer.objects.filter(pk=transfer.pk).update(
        receipt_via="", receipt_manifest_hash="", status=Transfer.Status.SENT
    )
    transfer.refresh_from_db()
    return transfer, incoming.receipt_code


def test_the_signed_receipt_is_verified_then_recorded(unreceipted, dsl, their_dsl):
    transfer, code = unreceipted
    assert code.startswith(receipt.PREFIX)
    transfers.signed_receipt_record(transfer=transfer, user=dsl, code=code)
    transfer.refresh_from_db()
    assert transfer.receipt_via == Transfer.ReceiptVia.SIGNED
    assert transfer.receipt_manifest_hash == transfer.manifest_hash
    assert transfer.received_school_name == their_dsl.memberships.get().school.name
    assert transfer.received_by_name == (
        their_dsl.get_full_name() or their_dsl.username
    )
    assert receipt.fingerprint(transfer.receipt_key) in transfer.receipt_evidence
    # The challenge is the receipt's secret: never copied into the audit log.
    logged = get_logentry_model().objects.get_for_object(transfer)
    assert logged.exists()
    assert transfer.receipt_challenge not in str([e.changes for e in logged])


def refused(transfer, dsl, code, message):
    with pytest.raises(ValidationError) as error:
        transfers.signed_receipt_record(transfer=transfer, user=dsl, code=code)
    assert message in " ".join(error.value.messages)
    transfer.refresh_from_db()
    assert not transfer.has_receipt and transfer.receipt_manifest_hash == ""


def test_a_receipt_made_without_opening_the_bundle_is_refused(unreceipted, dsl):
    transfer, _genuine = unreceipted
    forged = receipt.sign(
        challenge=receipt.new_challenge(),  # a guess: the real one is in the bundle
        reference=transfer.reference,
        manifest_hash=transfer.manifest_hash,  # shown on the sender's page
        received_on=timezone.localdate(),
        received_by="Someone",
        role="DSL",
        school="Far Hill Academy",
    )
    refused(transfer, dsl, forged, "not made by a Chronicle that opened this bundle")


def test_a_changed_receipt_is_refused(unreceipted, dsl):
    transfer, genuine = unreceipted
    prefix, payload, signature = genuine.split(".")
    fields = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    fields["received_on"] = "2020-01-01"
    changed = base64.urlsafe_b64encode(json.dumps(fields).encode()).decode()
    refused(transfer, dsl, f"{prefix}.{changed}.{signature}", "has been changed")
    refused(transfer, dsl, genuine[:-6] + "AAAAAA", "has been changed")
    refused(transfer, dsl, "a receipt, honest", "not a Chronicle signed receipt")


def test_a_receipt_for_another_transfer_or_bundle_is_refused(
    unreceipted, dsl, their_dsl
):
    transfer, genuine = unreceipted
    sibling = PupilFactory(school=transfer.school)
    other, content, passphrase = sent(sibling, dsl)
    theirs = received(content, passphrase, child=sibling, user=their_dsl)
    refused(transfer, dsl, theirs.receipt_code, f"another transfer ({other.reference})")
    # Sent again: a new bundle, a new challenge; the first bundle's receipt is old.
    transfers.transfer_resend(transfer=transfer, user=dsl)
    transfer.refresh_from_db()
    refused(transfer, dsl, genuine, "another copy of the file")


def test_a_link_receipt_without_the_hash_records_none(leaving, dsl):
    transfer, _phrase, token = transfer_send(transfer_out(leaving, dsl), dsl)
    transfers.link_download(token=token)
    transfers.link_receipt(
        token=token,
        name="Priya Shah",
        role="DSL",
        school_name="Far Hill Academy",
        received_on=timezone.localdate(),
    )
    transfer.refresh_from_db()
    assert transfer.receipt_via == Transfer.ReceiptVia.LINK
    assert transfer.receipt_manifest_hash == ""


def test_each_role_on_the_signed_receipt(
    unreceipted, dsl, deputy, head, staff, their_dsl, verified_client
):
    transfer, genuine = unreceipted
    url = reverse("workflows:transfer_detail", args=[transfer.pk])
    post = {"form": "signed_receipt", "code": genuine}
    for outsider in (staff, head, their_dsl):
        response = verified_client(outsider).post(url, post)
        assert response.status_code in (403, 404)
    transfer.refresh_from_db()
    assert not transfer.has_receipt
    page = verified_client(deputy).post(url, {"form": "signed_receipt", "code": "x"})
    assert "not a Chronicle signed receipt" in page.content.decode()
    upload = SimpleUploadedFile("receipt.txt", genuine.encode())
    response = verified_client(deputy).post(
        url, {"form": "signed_receipt", "receipt_file": upload}
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.receipt_via == Transfer.ReceiptVia.SIGNED


def test_the_receiving_dsl_downloads_the_receipt(
    leaving, dsl, their_dsl, verified_client
):
    _transfer, content, passphrase = sent(leaving, dsl)
    incoming = received(content, passphrase, child=leaving, user=their_dsl)
    url = reverse("workflows:transfer_receipt", args=[incoming.pk])
    response = verified_client(their_dsl).get(url)
    assert response.status_code == 200
    assert response.content.decode().strip() == incoming.receipt_code
    assert "chronicle-receipt-T" in response["Content-Disposition"]
    assert leaving.upn not in response["Content-Disposition"]
    assert verified_client(dsl).get(url).status_code == 404  # not their transfer
    page = verified_client(their_dsl).get(
        reverse("workflows:transfer_detail", args=[incoming.pk])
    )
    assert "data-signed-receipt" in page.content.decode()


# Content checks on a bundle's documents --------------------------------------------


def test_a_document_of_a_type_not_accepted_refuses_the_bundle(leaving, dsl, their_dsl):
    _transfer, content, passphrase = sent(leaving, dsl)
    with pyzipper.AESZipFile(io.BytesIO(content)) as source:
        source.setpassword(passphrase.encode())
        files = {name: source.read(name) for name in source.namelist()}
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
    data = json.loads(files[bundle_format.DATA])
    (attachment,) = data["attachments"]
    files[attachment["path"]] = program
    attachment["sha256"] = bundle_format.sha256(program)
    files[bundle_format.DATA] = json.dumps(data).encode()
    swapped = io.BytesIO()
    with pyzipper.AESZipFile(
        swapped, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as target:
        target.setpassword(passphrase.encode())
        files.pop(bundle_format.MANIFEST)
        for path, body in sorted(files.items()):
            target.writestr(path, body)
        target.writestr(
            bundle_format.MANIFEST,
            json.dumps(
                {
                    "format": "chronicle-transfer",
                    "version": 2,
                    "files": [
                        {"path": p, "sha256": bundle_format.sha256(b), "size": len(b)}
                        for p, b in sorted(files.items())
                    ],
                }
            ).encode(),
        )
    here = PupilFactory(school=their_dsl.memberships.get().school)
    incoming = transfers.transfer_in_start(pupil=here, user=their_dsl)
    transfers.expected_answer(
        task=transfer_claim(incoming, "ask_expected", their_dsl),
        user=their_dsl,
        expected=True,
        other_school_name="Somewhere",
    )
    before = TransferDocument.objects.count()
    with pytest.raises(ValidationError) as error:
        transfers.bundle_preview(
            transfer=incoming,
            user=their_dsl,
            upload=SimpleUploadedFile("bundle.zip", swapped.getvalue()),
            passphrase=passphrase,
        )
    assert "isn't a type of file Chronicle accepts" in error.value.messages[0]
    assert "Minutes (final).txt" in error.value.messages[0]
    assert TransferDocument.objects.count() == before


# From a school without Chronicle ---------------------------------------------------


@pytest.fixture
def expecting(pupil, dsl, private_storage):
    incoming = transfers.transfer_in_start(pupil=pupil, user=dsl)
    transfers.expected_answer(
        task=transfer_claim(incoming, "ask_expected", dsl),
        user=dsl,
        expected=True,
        other_school_name="Brook Lane Primary",
    )
    return incoming


def documents_form(**changes):
    data = {
        "form": "documents",
        "documents": SimpleUploadedFile("cp-file.pdf", PDF),
        "sender_school": "Brook Lane Primary",
        "sender_name": "Mo Ahmed, DSL",
        "sent_on": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "received_on": timezone.localdate().isoformat(),
        "summary": "Two concerns in Year 3 (neglect); a CIN plan closed in 2025.",
    }
    data.update(changes)
    return data


def test_a_file_from_a_school_without_chronicle_is_entered_with_its_summary(
    expecting, dsl, verified_client, pupil
):
    transfer_claim(expecting, "receive_file", dsl)
    url = reverse("workflows:transfer_detail", args=[expecting.pk])
    response = verified_client(dsl).post(url, documents_form())
    assert response.status_code == 302
    expecting.refresh_from_db()
    assert expecting.status == Transfer.Status.IMPORTED
    assert expecting.received_on == timezone.localdate()
    assert expecting.sender["school"] == "Brook Lane Primary"
    (entry,) = PreviousSchoolEntry.objects.filter(transfer=expecting)
    assert entry.school_name == "Brook Lane Primary"
    assert "CIN plan closed in 2025" in entry.text
    assert "cp-file.pdf" in entry.text
    came = chronology(pupil, user=dsl, filters=Filters(kinds={"previous"}))
    assert [e.item for e in came] == [entry]
    (document,) = expecting.documents.all()
    assert document.content_type == "application/pdf"
    page = verified_client(dsl).get(url).content.decode()
    assert "data-received-without-chronicle" in page


def test_a_received_file_is_checked_like_an_attachment(expecting, dsl, verified_client):
    transfer_claim(expecting, "receive_file", dsl)
    url = reverse("workflows:transfer_detail", args=[expecting.pk])
    program = SimpleUploadedFile("file.pdf", b"MZ\x90\x00" + b"\x00" * 60)
    page = verified_client(dsl).post(url, documents_form(documents=program))
    html = page.content.decode()
    assert page.status_code == 200
    assert "isn&#x27;t a type of file Chronicle accepts" in html
    assert "Two concerns in Year 3" in html  # what was typed is kept
    expecting.refresh_from_db()
    assert expecting.status == Transfer.Status.EXPECTED
    assert not PreviousSchoolEntry.objects.exists()
    no_summary = verified_client(dsl).post(url, documents_form(summary=""))
    assert no_summary.status_code == 200
    assert not expecting.documents.exists()


def test_each_role_on_a_file_without_chronicle(
    expecting, dsl, deputy, head, staff, verified_client
):
    transfer_claim(expecting, "receive_file", dsl)
    url = reverse("workflows:transfer_detail", args=[expecting.pk])
    for outsider in (staff, head):
        assert verified_client(outsider).post(url, documents_form()).status_code in (
            403,
            404,
        )
    # A deputy on the team, but the task is the DSL's: told to claim it.
    verified_client(deputy).post(url, documents_form())
    assert not PreviousSchoolEntry.objects.exists()
