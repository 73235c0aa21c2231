"""The right child: a bundle whose child differs from the child here in UPN, a
legal name or date of birth is not imported until a DSL has compared them side by
side and confirmed, with a reason, that they are the same child; both are in the
audit log. And the child who is leaving stays on the roll until they leave."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import ChainedLogEntry
from records.models import ImportedRecord, Pupil, Transfer
from records.selectors import pupils_reportable_by
from workflows import services, transfers

from ..builders import transfer_claim, transfer_out, transfer_send
from ..factories import PupilFactory
from .test_transfers import file_with_history  # noqa: F401

REASON = "The previous DSL confirmed by phone the UPN was corrected in March."


@pytest.fixture
def sent(file_with_history, dsl):  # noqa: F811
    transfer = transfer_out(file_with_history, dsl)
    transfer, passphrase, token = transfer_send(transfer, dsl)
    return (
        file_with_history,
        transfers.link_download(token=token).file.read(),
        passphrase,
    )


def previewed(child, other_school, their_dsl, content, passphrase, **differs):
    fields = {
        "upn": child.upn,
        "first_name": child.first_name,
        "last_name": child.last_name,
        "date_of_birth": child.date_of_birth,
        **differs,
    }
    here = PupilFactory(school=other_school, **fields)
    incoming = transfers.transfer_in_start(pupil=here, user=their_dsl)
    transfers.expected_answer(
        task=transfer_claim(incoming, "ask_expected", their_dsl),
        user=their_dsl,
        expected=True,
        other_school_name=child.school.name,
    )
    task = transfer_claim(incoming, "receive_file", their_dsl)
    document, bundle = transfers.bundle_preview(
        transfer=incoming,
        user=their_dsl,
        upload=SimpleUploadedFile("bundle.zip", content),
        passphrase=passphrase,
    )
    return incoming, task, document, bundle


def audit_events(pupil):
    entries = ChainedLogEntry.objects.filter(
        object_pk=str(pupil.pk), additional_data__event__startswith="transfer identity"
    )
    return [entry.additional_data["event"] for entry in entries.order_by("pk")]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("upn", "Z999999999999"),
        ("first_name", "Bethany"),
        ("last_name", "Someone-Else"),
        ("date_of_birth", "shift"),
    ],
)
def test_each_mismatching_detail_blocks_the_import_until_a_dsl_confirms(
    sent, other_school, make_member, field, value
):
    child, content, passphrase = sent
    if value == "shift":
        value = child.date_of_birth - timedelta(days=7 * 365)
    their_dsl = make_member(Role.DSL, at=other_school)
    incoming, task, document, bundle = previewed(
        child, other_school, their_dsl, content, passphrase, **{field: value}
    )
    rows = transfers.identity_compare(transfer=incoming, user=their_dsl, bundle=bundle)
    assert [row.field for row in rows if row.differs] == [field]
    with pytest.raises(ValidationError) as refused:
        transfers.bundle_import(
            task=task, user=their_dsl, document=document, passphrase=passphrase
        )
    assert "identity_reason" in refused.value.message_dict
    assert not ImportedRecord.objects.filter(pupil=incoming.pupil).exists()
    incoming.refresh_from_db()
    assert incoming.manifest_hash == "" and incoming.imported_at is None
    transfers.bundle_import(
        task=task,
        user=their_dsl,
        document=document,
        passphrase=passphrase,
        identity_reason=REASON,
    )
    incoming.refresh_from_db()
    assert incoming.identity_check["reason"] == REASON
    assert [d["field"] for d in incoming.identity_check["differences"]] == [field]
    assert ImportedRecord.objects.filter(pupil=incoming.pupil).exists()
    assert audit_events(incoming.pupil) == [
        "transfer identity compared",
        "transfer identity confirmed",
    ]


def test_names_differing_only_in_case_and_accents_match(
    sent, other_school, make_member
):
    child, content, passphrase = sent
    their_dsl = make_member(Role.DSL, at=other_school)
    incoming, task, document, _bundle = previewed(
        child,
        other_school,
        their_dsl,
        content,
        passphrase,
        first_name=f" {child.first_name.upper()} ",
    )
    transfers.bundle_import(
        task=task, user=their_dsl, document=document, passphrase=passphrase
    )
    incoming.refresh_from_db()
    assert incoming.identity_check == {}


def test_the_page_shows_both_children_and_keeps_the_typed_reason(
    sent, other_school, make_member, verified_client
):
    child, content, passphrase = sent
    their_dsl = make_member(Role.DSL, at=other_school)
    here = PupilFactory(school=other_school, upn=child.upn)
    incoming = transfers.transfer_in_start(pupil=here, user=their_dsl)
    transfers.expected_answer(
        task=transfer_claim(incoming, "ask_expected", their_dsl),
        user=their_dsl,
        expected=True,
        other_school_name=child.school.name,
    )
    transfer_claim(incoming, "receive_file", their_dsl)
    client = verified_client(their_dsl)
    url = reverse("workflows:transfer_detail", args=[incoming.pk])
    page = client.post(
        url,
        {
            "form": "preview",
            "bundle": SimpleUploadedFile("bundle.zip", content),
            "passphrase": passphrase,
        },
    )
    html = page.content.decode()
    assert "data-identity-mismatch" in html
    assert child.first_name in html and here.first_name in html
    document = incoming.documents.get(purpose="received")
    page = client.post(
        url, {"form": "import", "document": document.pk, "identity_reason": "sure"}
    )
    html = page.content.decode()
    assert "Nothing was imported" in html
    assert "sure</textarea>" in html
    assert not ImportedRecord.objects.filter(pupil=here).exists()
    page = client.post(
        url, {"form": "import", "document": document.pk, "identity_reason": REASON}
    )
    assert page.status_code == 302
    assert ImportedRecord.objects.filter(pupil=here).exists()


def test_completing_early_keeps_the_child_on_the_roll_until_they_leave(
    file_with_history,  # noqa: F811
    dsl,
    staff,
):
    starts = timezone.localdate() + timedelta(days=7)
    transfer = transfer_out(file_with_history, dsl, starts_on=starts)
    transfer, _passphrase, _token = transfer_send(transfer, dsl)
    transfers.receipt_record(
        transfer=transfer,
        user=dsl,
        name="Rae Riverside",
        role="DSL",
        school_name="Far Hill Academy",
        received_on=timezone.localdate(),
        evidence="Email from Rae confirming the file arrived.",
    )
    transfers.conversation_record(
        transfer=transfer,
        user=dsl,
        with_whom="Rae Riverside",
        on=timezone.localdate(),
        summary="Talked through the safety plan.",
    )
    transfers.transfer_out_complete(
        task=transfer_claim(transfer, "confirm_receipt", dsl), user=dsl
    )
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.COMPLETE
    child = Pupil.objects.get(pk=file_with_history.pk)
    assert child.date_left is None
    assert child in pupils_reportable_by(staff)
    # The clock marks the leaving on the day the child starts there.
    services.clock_sweep(today=starts - timedelta(days=1))
    child.refresh_from_db()
    assert child.date_left is None
    services.clock_sweep(today=starts)
    child.refresh_from_db()
    assert child.date_left == starts
    assert child not in pupils_reportable_by(staff)
