"""Other children in a child's file (issue 21): their words attributed, or withheld
from a reader who may not see them, and redacted on request from the PDF export
and the transfer bundle, with the redaction in the audit log."""

import io
import json

import pypdf
import pytest
import pyzipper
from auditlog.context import set_actor

from audit.models import ChainedLogEntry as LogEntry
from records.chronology import chronology
from records.models import Concern, InvolvementRole
from records.redaction import redact_other_children
from records.restrictions import services as restrictions
from workflows.transfers import services as transfers

from .. import builders
from ..factories import UserFactory

pytestmark = pytest.mark.django_db
WORDS = "Omar pushed me off the climbing frame and said he would do it again."
WHAT = "Ruby Ashdown told her teacher that Omar Fenwick pushed her at break."
REASON = "Subject access request from Omar's parents, received 1 December."


@pytest.fixture
def children(school, staff):
    ruby = builders.pupil(school, first_name="Ruby", last_name="Ashdown")
    omar = builders.pupil(school, first_name="Omar", last_name="Fenwick")
    concern = builders.concern(
        by=staff,
        children=[
            (ruby, InvolvementRole.SUBJECT),
            (omar, InvolvementRole.ALLEGED_PERPETRATOR),
        ],
        what_happened=WHAT,
        child_voice=WORDS,
    )
    return ruby, omar, concern


def _file(client, pupil):
    return client.get(f"/admin/files/{pupil.pk}/").content.decode()


def test_another_childs_words_are_attributed_in_the_alleged_perpetrators_file(
    children, dsl, deputy, verified_client
):
    _ruby, omar, _concern = children
    for member in (dsl, deputy):
        page = _file(verified_client(member), omar)
        assert "Said by Ruby Ashdown, the child the concern is about:" in page
        assert "data-other-child" in page and WORDS in page


def test_the_childs_own_file_keeps_their_voice_as_theirs(
    children, dsl, verified_client
):
    ruby, _omar, _concern = children
    page = _file(verified_client(dsl), ruby)
    assert WORDS in page
    assert "Said by" not in page


def test_a_reader_who_may_not_see_the_other_child_gets_the_words_withheld(
    children, school
):
    _ruby, omar, _concern = children
    admin = UserFactory(is_superuser=True)
    restrictions.break_glass_open(
        user=admin,
        obj=omar,
        reason="Police request for the file under a court order this morning.",
    )

    entry = next(e for e in chronology(omar, user=admin) if e.kind == "concern")
    assert entry.voice_withheld
    assert entry.child_voice == ""
    assert entry.voice_by == "Said by another child — details withheld."
    assert WORDS not in entry.voice_by


def test_redaction_takes_other_childrens_names_and_words_out_of_a_copy(children, dsl):
    _ruby, omar, concern = children
    entries = chronology(omar, user=dsl)
    redacted = redact_other_children(pupil=omar, entries=entries, front={})

    entry = next(e for e in redacted.entries if e.kind == "concern")
    assert entry.item.what_happened == (
        "[another child] told her teacher that Omar Fenwick pushed her at break."
    )
    assert entry.child_voice == "" and entry.voice_withheld
    assert entry.item.child_voice == "Said by another child — details withheld."
    assert redacted.children == [children[0].pk]
    assert (
        f"concern-{concern.pk}.what_happened" in redacted.summary()["fields_redacted"]
    )
    concern.refresh_from_db()
    assert concern.what_happened == WHAT and concern.child_voice == WORDS
    original = next(e for e in entries if e.kind == "concern")
    assert original.item.what_happened == WHAT


def _export(client, pupil, **data):
    return client.post(f"/admin/files/{pupil.pk}/export/", {"reason": REASON, **data})


def _pdf_text(content):
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages)


def _last_access(pupil):
    return (
        LogEntry.objects.get_for_object(pupil)
        .filter(action=LogEntry.Action.ACCESS)
        .latest("pk")
    )


def test_the_pdf_export_redacts_other_children_when_asked_and_logs_it(
    children, dsl, verified_client
):
    ruby, omar, _concern = children
    client = verified_client(dsl)

    response = _export(client, omar, redact_other_children="on")

    text = " ".join(_pdf_text(response.content).split())
    assert "Ruby" not in text and "Ashdown" not in text
    assert "climbing frame" not in text
    assert "[another child] told her teacher" in text
    assert "Said by another child — details withheld" in text
    assert "Other children's details redacted by" in text
    access = _last_access(omar)
    assert access.actor == dsl
    assert access.additional_data["event"] == "file exported as PDF"
    assert access.additional_data["redacted"]["other_children"] == [ruby.pk]
    assert access.additional_data["redacted"]["fields_redacted"]


def test_the_pdf_export_without_redaction_attributes_the_words(
    children, dsl, verified_client
):
    _ruby, omar, _concern = children
    response = _export(verified_client(dsl), omar)
    text = " ".join(_pdf_text(response.content).split())
    assert "Said by Ruby Ashdown, the child the concern is about" in text
    assert "redacted" not in _last_access(omar).additional_data


def test_the_export_page_offers_redaction(children, dsl, verified_client):
    _ruby, omar, _concern = children
    page = verified_client(dsl).get(f"/admin/files/{omar.pk}/export/")
    assert "Redact other children&#x27;s details" in page.content.decode() or (
        "Redact other children's details" in page.content.decode()
    )


def test_the_transfer_bundle_is_redacted_when_asked_and_a_resend_keeps_it(
    children, dsl
):
    ruby, omar, _concern = children
    transfer = builders.transfer_out(omar, dsl)
    with set_actor(dsl):  # as the request's audit middleware does
        transfer, passphrase, _token = builders.transfer_send(
            transfer, dsl, redact=True
        )

    document = transfer.documents.get(purpose="bundle")
    with document.file.open("rb") as handle:
        archive = pyzipper.AESZipFile(io.BytesIO(handle.read()))
    archive.setpassword(passphrase.encode())
    data = archive.read("transfer.json").decode()
    pdf = " ".join(_pdf_text(archive.read("file.pdf")).split())
    for text in (data, pdf):
        assert "Ruby" not in text and "Ashdown" not in text
        assert "climbing frame" not in text
    assert (
        "[another child] told her teacher"
        in json.loads(data)["chronology"][0]["record"]["what_happened"]
    )
    assert transfer.redacted
    access = (
        LogEntry.objects.get_for_object(omar)
        .filter(additional_data__event="file sent for transfer")
        .get()
    )
    assert access.actor == dsl
    assert access.additional_data["redacted"]["other_children"] == [ruby.pk]
    assert Concern.objects.get().child_voice == WORDS  # the record is unchanged

    transfers.transfer_resend(transfer=transfer, user=dsl)
    resent = (
        LogEntry.objects.get_for_object(omar)
        .filter(additional_data__event="file sent for transfer")
        .latest("pk")
    )
    assert resent.pk != access.pk
    assert resent.additional_data["redacted"]["other_children"] == [ruby.pk]
