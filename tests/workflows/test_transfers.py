"""Case handover: a file leaving one school and arriving at another, with the
deadline in school days, the one-time link, the receipt and the conversation."""

import io
import json
import re
from datetime import date, timedelta

import pytest
import pyzipper
from django.core.exceptions import ValidationError
from django.utils import timezone
from viewflow.workflow.fields import get_flow_ref, get_task_ref, import_flow_by_ref

from accounts.models import Role, SchoolTerm
from records.chronology import chronology
from records.models import FileNote, KeyPerson, Transfer
from reports import rollups
from workflows import services, transfers
from workflows.models import CaseTask, Notification
from workflows.transfers import bundle as bundle_format

from ..builders import (
    OPEN,
    file_note,
    key_person,
    transfer_claim,
    transfer_out,
    transfer_send,
    transfer_task,
    weekday_after,
)
from ..factories import PupilFactory


@pytest.fixture
def file_with_history(submit, dsl):
    """A child with a concern (and its triage) and a meeting note with a document."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    concern = submit()
    child = concern.involvements.get().pupil
    file_note(
        child,
        dsl,
        title="Strategy meeting",
        occurred_at=timezone.now() - timedelta(days=2),
        body="Agreed a safety plan with the social worker.",
        attachments=[SimpleUploadedFile("minutes.txt", b"Minutes of the meeting\n")],
    )
    key_person(
        child,
        dsl,
        role=KeyPerson.Role.SOCIAL_WORKER,
        name="Sam Okafor",
        organisation="Children's services (synthetic)",
    )
    return child


def bundle_bytes(transfer):
    document = transfer.documents.get(purpose="bundle")
    with document.file.open("rb") as handle:
        return handle.read()


def test_the_file_is_due_five_school_days_after_the_start_across_a_half_term(
    school, pupil, dsl
):
    SchoolTerm.objects.create(
        school=school,
        name="Autumn 1",
        starts_on=date(2026, 9, 2),
        ends_on=date(2026, 10, 23),
    )
    SchoolTerm.objects.create(
        school=school,
        name="Autumn 2",
        starts_on=date(2026, 11, 2),
        ends_on=date(2026, 12, 18),
    )
    # Starts Wednesday 21 October: Thu, Fri, then half term, then Mon-Wed.
    transfer = transfer_out(pupil, dsl, starts_on=date(2026, 10, 21))
    assert transfer.deadline == date(2026, 11, 4)
    assert transfer_task(transfer, "send_file").due_on == date(2026, 11, 4)


def test_only_the_schools_dsls_start_a_transfer(pupil, make_member, other_school):
    from django.core.exceptions import PermissionDenied

    for role in (Role.STAFF, Role.HEAD, Role.CONFIGURATOR):
        with pytest.raises(PermissionDenied):
            transfer_out(pupil, make_member(role))
    with pytest.raises(PermissionDenied):
        transfer_out(pupil, make_member(Role.DSL, at=other_school))
    assert not Transfer.objects.exists()


def test_a_double_submit_starts_one_transfer(pupil, dsl):
    import uuid

    key = uuid.uuid4()
    first = transfer_out(pupil, dsl, submission_key=key)
    second = transfer_out(pupil, dsl, submission_key=key)
    assert first == second
    assert Transfer.objects.count() == 1
    with pytest.raises(ValidationError, match="already under way"):
        transfer_out(pupil, dsl)


def test_the_bundle_holds_the_file_with_hashes_and_opens_with_the_passphrase(
    file_with_history, dsl
):
    transfer = transfer_out(file_with_history, dsl)
    transfer, passphrase, token = transfer_send(transfer, dsl)
    content = bundle_bytes(transfer)
    with pyzipper.AESZipFile(io.BytesIO(content)) as archive:
        assert archive.infolist()[0].flag_bits & 0x1  # encrypted
        with pytest.raises(RuntimeError):
            archive.read("transfer.json")  # no passphrase
        archive.setpassword(passphrase.encode())
        data = json.loads(archive.read("transfer.json"))
        manifest = archive.read("manifest.json")
        pdf = archive.read("file.pdf")
    assert pdf.startswith(b"%PDF")
    assert bundle_format.sha256(manifest) == transfer.manifest_hash
    assert data["format"] == "chronicle-transfer" and data["version"] == 2
    assert data["pupil"]["upn"] == file_with_history.upn
    kinds = [entry["kind"] for entry in data["chronology"]]
    assert kinds == sorted(kinds, key=lambda k: kinds.index(k))  # oldest first
    assert {"concern", "note"} <= set(kinds)
    assert data["key_people"][0]["name"] == "Sam Okafor"
    (attachment,) = data["attachments"]
    assert attachment["name"] == "minutes.txt"
    assert attachment["sha256"] == bundle_format.sha256(b"Minutes of the meeting\n")
    # Named, with its extension, and listed in the README for a school opening
    # the archive by hand.
    assert attachment["path"] == "documents/01-minutes.txt"
    # 20 characters of 32: 100 bits, in five groups to read out.
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]{4}", passphrase)
    assert token
    # The download's name says nothing about the child.
    document = transfer.documents.get(purpose="bundle")
    assert document.original_name == f"chronicle-transfer-{transfer.reference}.zip"
    assert file_with_history.upn not in document.original_name
    assert transfer.status == Transfer.Status.SENT
    # The passphrase and the token are not stored.
    stored = json.dumps(
        {f.name: str(getattr(transfer, f.attname)) for f in Transfer._meta.fields}
    )
    assert passphrase not in stored and token not in stored


def test_the_link_works_once_and_then_takes_the_receipt(file_with_history, dsl):
    transfer = transfer_out(file_with_history, dsl)
    transfer, _passphrase, token = transfer_send(transfer, dsl)
    with pytest.raises(ValidationError, match="Download the file"):
        transfers.link_receipt(
            token=token,
            name="Priya Shah",
            role="DSL",
            school_name="Far Hill Academy",
            received_on=timezone.localdate(),
        )
    document = transfers.link_download(token=token)
    assert document.purpose == "bundle"
    with pytest.raises(ValidationError, match="already been used"):
        transfers.link_download(token=token)
    with pytest.raises(ValidationError, match="not the manifest hash"):
        transfers.link_receipt(
            token=token,
            name="Priya Shah",
            role="DSL",
            school_name="Far Hill Academy",
            received_on=timezone.localdate(),
            manifest_hash="0" * 64,
        )
    transfers.link_receipt(
        token=token,
        name="Priya Shah",
        role="DSL",
        school_name="Far Hill Academy",
        received_on=timezone.localdate(),
        manifest_hash=transfer.manifest_hash.upper(),
    )
    transfer.refresh_from_db()
    assert transfer.receipt_via == Transfer.ReceiptVia.LINK
    assert transfer.receipt_manifest_hash == transfer.manifest_hash
    assert transfer.received_by_name == "Priya Shah"


def test_the_link_expires(file_with_history, dsl):
    transfer = transfer_out(file_with_history, dsl)
    transfer, _passphrase, token = transfer_send(transfer, dsl)
    Transfer.objects.filter(pk=transfer.pk).update(
        link_expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ValidationError, match="expired"):
        transfers.link_download(token=token)
    assert transfers.link_transfer("not-a-token") is None


def test_a_new_link_replaces_the_old_one(file_with_history, dsl):
    transfer = transfer_out(file_with_history, dsl)
    transfer, first_phrase, old = transfer_send(transfer, dsl)
    transfer, second_phrase, new = transfers.transfer_resend(
        transfer=transfer, user=dsl
    )
    assert transfers.link_transfer(old) is None
    assert transfers.link_download(token=new) is not None
    assert first_phrase != second_phrase


def test_completing_needs_the_receipt_and_the_conversation(file_with_history, dsl):
    transfer = transfer_out(file_with_history, dsl)
    transfer, _phrase, _token = transfer_send(
        transfer, dsl, delivery=Transfer.Delivery.COURIER, delivery_note="Tracked 123"
    )
    task = transfer_claim(transfer, "confirm_receipt", dsl)
    with pytest.raises(ValidationError) as refused:
        transfers.transfer_out_complete(task=task, user=dsl)
    assert "No receipt yet" in " ".join(refused.value.messages)
    assert "handover conversation" in " ".join(refused.value.messages)
    transfers.receipt_record(
        transfer=transfer,
        user=dsl,
        name="Priya Shah",
        role="DSL",
        school_name="Far Hill Academy",
        received_on=timezone.localdate(),
        evidence="Signed transfer form, scanned into the office file.",
    )
    with pytest.raises(ValidationError, match="handover conversation"):
        transfers.transfer_out_complete(task=task, user=dsl)
    with pytest.raises(ValidationError, match="who you spoke to"):
        transfers.conversation_record(
            transfer=transfer, user=dsl, summary="Talked it through."
        )
    transfers.conversation_record(
        transfer=transfer,
        user=dsl,
        with_whom="Priya Shah, DSL, Far Hill",
        on=timezone.localdate(),
        summary="Shared the open CIN plan and the social worker's details.",
    )
    transfers.transfer_out_complete(task=task, user=dsl)
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.COMPLETE
    # A paper receipt names no manifest hash: none is recorded for the receiver.
    assert transfer.receipt_manifest_hash == ""
    file_with_history.refresh_from_db()
    assert file_with_history.date_left == timezone.localdate()
    assert not CaseTask.objects.filter(transfer=transfer, status__in=OPEN).exists()


def test_no_receipt_by_the_deadline_is_chased_then_escalated(
    file_with_history, dsl, head
):
    transfer = transfer_out(file_with_history, dsl)
    transfer_send(transfer, dsl)
    task = transfer_task(transfer, "confirm_receipt")
    deadline = task.due_on

    def about_transfer(kind, user):
        return Notification.objects.filter(
            kind=kind, user=user, message__contains=transfer.reference
        )

    services.clock_sweep(today=deadline)
    assert not about_transfer(Notification.Kind.REMINDER, dsl).exists()
    after = weekday_after(deadline)
    services.clock_sweep(today=after)
    (reminder,) = about_transfer(Notification.Kind.REMINDER, dsl)
    assert "chase the receiving school" in reminder.message
    assert not about_transfer(Notification.Kind.ESCALATION, head).exists()
    next_day = weekday_after(after)
    services.clock_sweep(today=next_day)
    assert about_transfer(Notification.Kind.ESCALATION, head).count() == 1


def test_a_tampered_or_wrongly_unlocked_bundle_is_refused(file_with_history, dsl):
    transfer = transfer_out(file_with_history, dsl)
    transfer, passphrase, _token = transfer_send(transfer, dsl)
    content = bundle_bytes(transfer)
    with pytest.raises(ValidationError, match="passphrase is not right"):
        bundle_format.read(content, "wrong-words")
    # Rewrite transfer.json with another date, keeping the manifest.
    tampered = io.BytesIO()
    with pyzipper.AESZipFile(io.BytesIO(content)) as source:
        source.setpassword(passphrase.encode())
        with pyzipper.AESZipFile(
            tampered, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
        ) as target:
            target.setpassword(passphrase.encode())
            for name in source.namelist():
                member = source.read(name)
                if name == "transfer.json":
                    member = member.replace(
                        b'"significant": false', b'"significant": true', 1
                    )
                target.writestr(name, member)
    with pytest.raises(ValidationError, match="changed since it was sent"):
        bundle_format.read(tampered.getvalue(), passphrase)
    with pytest.raises(ValidationError, match="not a Chronicle transfer bundle"):
        bundle_format.read(b"%PDF-1.7 not a bundle", passphrase)


def test_a_joiner_is_asked_about_a_file_and_one_not_expected_ends(school, dsl):
    from records.services import pupil_upsert

    long_ago, _ = pupil_upsert(
        school=school,
        upn="A123456789001",
        first_name="Old",
        last_name="Roll",
        date_of_birth=date(2015, 1, 1),
        year_group="6",
        date_joined=date(2020, 9, 1),
    )
    assert not Transfer.objects.filter(pupil=long_ago).exists()
    joiner, _ = pupil_upsert(
        school=school,
        upn="A123456789002",
        first_name="New",
        last_name="Joiner",
        date_of_birth=date(2015, 1, 1),
        year_group="6",
        date_joined=timezone.localdate(),
    )
    transfer = Transfer.objects.get(pupil=joiner, direction="in")
    with pytest.raises(ValidationError, match="why no file"):
        transfers.expected_answer(
            task=transfer_claim(transfer, "ask_expected", dsl), user=dsl, expected=False
        )
    transfers.expected_answer(
        task=transfer_task(transfer, "ask_expected"),
        user=dsl,
        expected=False,
        reason="Came from abroad; the family says no school involvement.",
    )
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.NOT_EXPECTED
    assert not CaseTask.objects.filter(transfer=transfer, status__in=OPEN).exists()


def test_an_expected_file_that_does_not_come_is_chased(school, pupil, dsl):
    transfer = transfers.transfer_in_start(pupil=pupil, user=dsl)
    transfers.expected_answer(
        task=transfer_claim(transfer, "ask_expected", dsl),
        user=dsl,
        expected=True,
        other_school_name="Meadow Primary",
    )
    task = transfer_task(transfer, "receive_file")
    late = weekday_after(task.due_on)
    services.clock_sweep(today=late)
    assert "chase the previous school" in (
        Notification.objects.get(kind=Notification.Kind.REMINDER).message
    )


def test_a_bundle_round_trips_into_another_school_with_the_receipt_back(
    file_with_history, dsl, other_school, make_member
):
    sender_entries = chronology(file_with_history, user=dsl, newest_first=False)
    transfer = transfer_out(file_with_history, dsl, other_school=other_school)
    transfer, passphrase, token = transfer_send(transfer, dsl)
    content = transfers.link_download(token=token).file.read()

    their_dsl = make_member(Role.DSL, at=other_school)
    arrived = PupilFactory(
        school=other_school,
        upn=file_with_history.upn,
        first_name=file_with_history.first_name,
        last_name=file_with_history.last_name,
        date_of_birth=file_with_history.date_of_birth,
    )
    incoming = transfers.transfer_in_start(pupil=arrived, user=their_dsl)
    transfers.expected_answer(
        task=transfer_claim(incoming, "ask_expected", their_dsl),
        user=their_dsl,
        expected=True,
        other_school_name=file_with_history.school.name,
    )
    task = transfer_claim(incoming, "receive_file", their_dsl)
    from django.core.files.uploadedfile import SimpleUploadedFile

    document, bundle = transfers.bundle_preview(
        transfer=incoming,
        user=their_dsl,
        upload=SimpleUploadedFile("bundle.zip", content),
        passphrase=passphrase,
    )
    assert len(bundle.entries) == len(sender_entries)
    transfers.bundle_import(
        task=task, user=their_dsl, document=document, passphrase=passphrase
    )
    received = chronology(arrived, user=their_dsl, newest_first=False)
    # Each entry arrives as the same kind of record, marked where it came from.
    assert len(received) == len(sender_entries)
    for sent, got in zip(sender_entries, received, strict=True):
        assert got.at == sent.at
        assert got.kind == sent.kind
        assert got.imported.school_name == file_with_history.school.name
    note = next(e.item for e in received if e.kind == "note")
    assert "Agreed a safety plan" in note.body
    assert KeyPerson.objects.filter(pupil=arrived, name="Sam Okafor").exists()
    # The minutes sit with their note; the PDF of the whole file on the transfer.
    minutes = note.attachments.get(original_name="minutes.txt")
    assert minutes.file.read() == b"Minutes of the meeting\n"
    kept = incoming.documents.filter(purpose="received")
    assert "minutes.txt" not in {d.original_name for d in kept}
    # The receipt went back to the sending school, with the manifest hash.
    transfer.refresh_from_db()
    assert transfer.receipt_via == Transfer.ReceiptVia.CHRONICLE
    assert transfer.receipt_manifest_hash == transfer.manifest_hash
    incoming.refresh_from_db()
    assert incoming.source == transfer
    # Checking it in: gaps and the social worker conversation are required.
    with pytest.raises(ValidationError) as refused:
        transfers.transfer_in_complete(
            task=task, user=their_dsl, checklist={"everything": True}, gaps=""
        )
    assert "gaps" in refused.value.message_dict
    transfers.transfer_in_complete(
        task=task,
        user=their_dsl,
        checklist={key: True for key, _label in transfers.CHECKLIST},
        gaps="",
        sw_spoke_to="Sam Okafor",
        sw_on=timezone.localdate(),
        sw_summary="Introduced ourselves; next review meeting is in three weeks.",
    )
    assert FileNote.objects.filter(
        pupil=arrived, title="First conversation with the social worker"
    ).exists()
    incoming.refresh_from_db()
    assert incoming.status == Transfer.Status.COMPLETE
    # The concerns made at the receiving school are in its report figures.
    assert rollups.differences() == []


def test_a_joiner_at_a_school_with_no_dsl_yet_is_added_without_a_task(other_school):
    from records.services import pupil_upsert

    joiner, created = pupil_upsert(
        school=other_school,
        upn="A123456789003",
        first_name="New",
        last_name="Start",
        date_of_birth=date(2015, 1, 1),
        year_group="6",
        date_joined=timezone.localdate(),
    )
    assert created and joiner.pk
    assert not Transfer.objects.filter(pupil=joiner).exists()


def test_a_recorded_receipt_keeps_its_scan_and_refuses_a_file_it_cannot_take(
    file_with_history, dsl
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    transfer = transfer_out(file_with_history, dsl)
    transfer, _phrase, _token = transfer_send(
        transfer, dsl, delivery=Transfer.Delivery.HAND, delivery_note="By hand."
    )
    receipt = {
        "transfer": transfer,
        "user": dsl,
        "name": "Priya Shah",
        "role": "DSL",
        "school_name": "Far Hill Academy",
        "received_on": timezone.localdate(),
        "evidence": "Signed transfer form.",
    }
    with pytest.raises(ValidationError, match="isn't a type of file"):
        transfers.receipt_record(
            **receipt, document=SimpleUploadedFile("form.exe", b"MZ\x90\x00binary")
        )
    transfer.refresh_from_db()
    assert not transfer.has_receipt
    assert not transfer.documents.filter(purpose="evidence").exists()
    transfers.receipt_record(
        **receipt, document=SimpleUploadedFile("signed.txt", b"Received, P. Shah\n")
    )
    scan = transfer.documents.get(purpose="evidence")
    assert scan.original_name == "signed.txt"
    assert scan.file.read() == b"Received, P. Shah\n"


def test_the_flows_keep_the_path_viewflow_stored():
    """Process and task rows hold the flow's path, and queues filter by it: rows
    made before the flows moved into workflows/transfers/flows.py still match."""
    assert get_flow_ref(transfers.TransferOutFlow) == (
        "workflows/transfers.TransferOutFlow"
    )
    assert get_task_ref(transfers.TransferInFlow.receive_file) == (
        "workflows/transfers.TransferInFlow.receive_file"
    )
    assert import_flow_by_ref("workflows/transfers.TransferInFlow") is (
        transfers.TransferInFlow
    )
