"""A file that arrives is the child's history, not a page of text: every record
comes in as the same kind of record the school makes itself, marked where it came
from, shown on the front sheet and in the chronology, carried on by the next
transfer, and never started again as casework here."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from records.chronology import Filters, chronology
from records.frontsheet import front_sheet
from records.models import (
    Concern,
    ConcernAttachment,
    Decision,
    FileNote,
    ImportedRecord,
    InvolvementRole,
    KeyPerson,
    PreviousSchoolEntry,
    PupilFlag,
    Referral,
    imported_ids,
)
from records.services import addendum_add, pupil_flag_add, significant_set
from reports.selectors import concerns_for_reports
from taxonomy.models import Vocabulary
from workflows import services, transfers
from workflows.models import CaseProcess, Notification

from .. import builders
from ..builders import (
    child_of,
    close,
    decide,
    file_note,
    key_person,
    respond,
    term,
    transfer_claim,
    transfer_out,
    transfer_send,
    triage,
)
from ..builders import concern as make_concern
from ..factories import PupilFactory

SAID = "'I feel safe with Miss Patel.'"


@pytest.fixture
def rich_file(submit, dsl, staff, private_storage):
    """A child with every kind of record: a concern with an attachment and the
    child's words, triaged, decided (a significant decision) and referred to two
    agencies (the police answered with their reason, children's social care is
    still open); a second concern where the child is a witness, closed; a CIN
    plan; a social worker; a meeting note with minutes and an addendum."""
    concern = submit(
        attachments=[SimpleUploadedFile("note-from-ava.txt", b"Ava's note\n")]
    )
    child = child_of(concern)
    triage(concern, dsl)
    decide(concern, dsl, outcome="referral", agencies=("csc", "police"))
    respond(
        concern,
        "police",
        dsl,
        agency_outcome=Referral.AgencyOutcome.NFA,
        response="No police action.",
        agency_rationale="No offence disclosed; school to monitor.",
    )
    decision = Decision.objects.get(concern=concern)
    significant_set(pupil=child, user=dsl, target=decision, significant=True)
    witnessed = make_concern(
        by=staff,
        school=child.school,
        children=[
            PupilFactory(school=child.school),
            (child, InvolvementRole.WITNESS),
        ],
        category="physical-abuse",
    )
    triage(witnessed, dsl, category="physical-abuse")
    decide(witnessed, dsl, outcome="nfa", agencies=())
    close(witnessed, dsl, review_on=timezone.localdate() + timedelta(days=3))
    pupil_flag_add(
        pupil=child,
        user=dsl,
        flag=term(Vocabulary.PROFILE_FLAG, "cin"),
        starts_on=timezone.localdate() - timedelta(days=30),
        note="CIN plan, review in March.",
    )
    key_person(
        child,
        dsl,
        role=KeyPerson.Role.SOCIAL_WORKER,
        name="Sam Okafor",
        organisation="Children's services (synthetic)",
    )
    note = file_note(
        child,
        dsl,
        title="Strategy meeting",
        occurred_at=timezone.now() - timedelta(days=2),
        body="Agreed a safety plan with the social worker.",
        child_voice=SAID,
        attachments=[SimpleUploadedFile("minutes.txt", b"Minutes of the meeting\n")],
    )
    addendum_add(
        pupil=child,
        user=dsl,
        target=note,
        reason="Late information",
        text="The social worker sent the plan on Friday.",
    )
    return child


def sent_bundle(child, dsl):
    transfer = transfer_out(child, dsl)
    transfer, passphrase, token = transfer_send(transfer, dsl)
    return transfer, transfers.link_download(token=token).file.read(), passphrase


def receive(content, passphrase, *, at, user, pupil, reason=""):
    incoming = transfers.transfer_in_start(pupil=pupil, user=user)
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
        task=task,
        user=user,
        document=document,
        passphrase=passphrase,
        identity_reason=reason,
    )
    incoming.refresh_from_db()
    return incoming


def same_child(child, at):
    return PupilFactory(
        school=at,
        upn=child.upn,
        first_name=child.first_name,
        last_name=child.last_name,
        date_of_birth=child.date_of_birth,
    )


@pytest.fixture
def arrived(rich_file, dsl, other_school, make_member):
    """The rich file imported at the other school: (child there, their DSL)."""
    _transfer, content, passphrase = sent_bundle(rich_file, dsl)
    their_dsl = make_member(Role.DSL, at=other_school)
    child = same_child(rich_file, other_school)
    receive(content, passphrase, at=other_school, user=their_dsl, pupil=child)
    return child, their_dsl


def test_every_record_arrives_as_its_own_kind_marked_where_it_came_from(
    rich_file, dsl, arrived
):
    sent = chronology(rich_file, user=dsl, newest_first=False)
    child, their_dsl = arrived
    got = chronology(child, user=their_dsl, newest_first=False)
    assert [(e.kind, e.at) for e in got] == [(e.kind, e.at) for e in sent]
    assert {e.imported.school_name for e in got} == {rich_file.school.name}
    assert not PreviousSchoolEntry.objects.filter(pupil=child).exists()
    concerns = {e.item.pk: e for e in got if e.kind == "concern"}
    assert sorted(e.role for e in concerns.values()) == sorted(
        e.role for e in sent if e.kind == "concern"
    )
    assert any(e.child_voice for e in concerns.values())
    decision = next(e for e in got if e.kind == "decision" and e.significant)
    assert (
        decision.item.rationale
        == Decision.objects.filter(
            concern__involvements__pupil=rich_file, outcome="referral"
        )
        .get()
        .rationale
    )
    police = Referral.objects.get(concern__school=child.school, agency_name="Police")
    assert police.agency_rationale == "No offence disclosed; school to monitor."
    note = next(e for e in got if e.kind == "note")
    assert note.child_voice == SAID
    assert next(a.reason for a in note.addenda).startswith("Late information")
    # Attachments sit with their entries.
    assert note.item.attachments.get().original_name == "minutes.txt"
    assert ConcernAttachment.objects.get(concern__school=child.school).file.read() == (
        b"Ava's note\n"
    )
    # History, not new work: no process, no one told, no reopening.
    assert not CaseProcess.objects.filter(concern__school=child.school).exists()
    assert not Notification.objects.filter(
        user=their_dsl, message__icontains="concern"
    ).exists()
    services.clock_sweep(today=timezone.localdate() + timedelta(days=5))
    assert not CaseProcess.objects.filter(concern__school=child.school).exists()
    # Reports can count them apart.
    here = Concern.objects.filter(school=child.school)
    assert here.filter(pk__in=imported_ids(Concern)).count() == 2
    assert here.exclude(pk__in=imported_ids(Concern)).count() == 0


def test_the_front_sheet_and_chronology_show_them(arrived, verified_client):
    child, their_dsl = arrived
    entries = chronology(child, user=their_dsl)
    front = front_sheet(child, entries=entries)
    assert [f.flag_name for f in front["flags"]] == ["Child in need (CIN)"]
    assert [p.name for p in front["key_people"]] == ["Sam Okafor"]
    agencies = {r.agency_name: r for r in front["agencies"]}
    assert agencies["Police"].agency_outcome == Referral.AgencyOutcome.NFA
    assert not agencies["Children's social care / MASH"].is_complete
    assert len(front["key_decisions"]) == 2
    assert front["concern_count"] == 2
    only = chronology(child, user=their_dsl, filters=Filters(kinds={"decision"}))
    assert [e.kind for e in only] == ["decision", "decision"]
    came = chronology(child, user=their_dsl, filters=Filters(kinds={"previous"}))
    assert len(came) == len(entries)

    page = verified_client(their_dsl).get(
        reverse("records_admin:file_detail", args=[child.pk])
    )
    html = page.content.decode()
    assert "Child in need (CIN)" in html
    assert "Sam Okafor" in html
    assert "No decisions yet" not in html
    assert "No offence disclosed; school to monitor." in html
    assert html.count("data-imported") >= 10
    assert "2 from previous schools" in html
    concern = Concern.objects.filter(school=child.school).first()
    page = verified_client(their_dsl).get(
        reverse("workflows:casework_concern", args=[concern.pk])
    )
    assert page.status_code == 200
    assert concern.what_happened in page.content.decode()


def test_the_next_transfer_carries_them_with_where_they_were_made(rich_file, arrived):
    child, their_dsl = arrived
    _transfer, content, passphrase = sent_bundle(child, their_dsl)
    third = builders.school(name="Third Academy (synthetic)")
    third_dsl = builders.member(third, Role.DSL)
    again = same_child(rich_file, third)
    receive(content, passphrase, at=third, user=third_dsl, pupil=again)
    origins = set(
        ImportedRecord.objects.filter(pupil=again).values_list("school_name", flat=True)
    )
    assert origins == {rich_file.school.name}
    assert PupilFlag.objects.filter(pupil=again).count() == 1
    assert FileNote.objects.filter(pupil=again).count() == 1
    assert Concern.objects.filter(school=third).count() == 2


def test_an_imported_decision_says_who_decided_it_where(
    rich_file, dsl, arrived, verified_client
):
    child, their_dsl = arrived
    decided_by = dsl.get_full_name() or dsl.username
    concern = (
        Concern.objects.filter(school=child.school, decisions__isnull=False)
        .distinct()
        .first()
    )
    page = verified_client(their_dsl).get(
        reverse("workflows:casework_concern", args=[concern.pk])
    )
    html = page.content.decode()
    assert f"decided by {decided_by} at {rich_file.school.name}" in html
    assert f"triaged by {decided_by} at {rich_file.school.name}" in html
    # The DSL who imported it is never named as having made the file's steps.
    mine = their_dsl.get_full_name() or their_dsl.username
    assert f"· {mine}<br>" not in html


def test_reports_count_the_schools_own_concerns_apart_from_imported_ones(
    arrived, make_member
):
    child, their_dsl = arrived
    came = set(concerns_for_reports(their_dsl, imported=True))
    assert came == set(Concern.objects.filter(school=child.school))
    assert len(came) == 2
    assert not concerns_for_reports(their_dsl).filter(school=child.school).exists()
