"""Nothing half-written: every multi-step write is all or nothing.

A failure is injected part-way (a post_save receiver that raises when the next row
of the write appears) and the test finds the records as they were before: no
step recorded without the process moving on, no process step without its record,
no file left in private storage.

Already covered elsewhere, not repeated here: a concern whose process cannot start
(tests/workflows/test_concern_flow.py), a pattern review that cannot be raised
(tests/workflows/test_patterns.py), one bad row in a CSV import
(tests/records/test_import.py).
"""

import uuid
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.signals import post_save
from django.utils import timezone

from records.models import (
    Closure,
    Concern,
    ConcernAttachment,
    ConcernPupil,
    Decision,
    FileNote,
    NoteAttachment,
    Referral,
    Triage,
)
from records.services import file_note_add
from workflows import services
from workflows.flows import ConcernFlow
from workflows.models import CaseTask

from .. import builders
from ..builders import close, decide, open_task, transfer_out, transfer_send, triage
from ..conftest import stored_files
from ..workflows.test_transfers import file_with_history  # noqa: F401 (a fixture)
from .conftest import PDF

pytestmark = pytest.mark.django_db


class Injected(Exception):
    """The failure the test causes."""


@contextmanager
def failing_when_saved(model, *, when=lambda instance, created: created):
    """Raise Injected as soon as a matching row of `model` is saved."""

    def fail(sender, instance, created, **kwargs):
        if when(instance, created):
            raise Injected(f"injected failure saving {model.__name__}")

    post_save.connect(fail, sender=model, dispatch_uid="security-atomicity")
    try:
        yield
    finally:
        post_save.disconnect(sender=model, dispatch_uid="security-atomicity")


@pytest.fixture(autouse=True)
def _private(private_storage):
    """Every test here keeps its files in a temporary folder (tests/conftest.py)."""
    return private_storage


def state(concern):
    """What a DSL would see of the concern's progress."""
    concern.refresh_from_db()
    return {
        "status": concern.status,
        "triages": Triage.objects.filter(concern=concern).count(),
        "decisions": Decision.objects.filter(concern=concern).count(),
        "referrals": Referral.objects.filter(concern=concern).count(),
        "closures": Closure.objects.filter(concern=concern).count(),
        "tasks": sorted(
            (task.flow_task.name, task.status, task.owner_id)
            for task in CaseTask.objects.filter(concern=concern)
        ),
    }


def pdf(name):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_a_triage_whose_next_step_fails_is_not_recorded(submit, dsl):
    concern = submit()
    services.task_claim(task=open_task(concern, "triage"), user=dsl)
    before = state(concern)
    with failing_when_saved(CaseTask), pytest.raises(Injected):
        triage(concern, dsl)  # the decision task cannot be opened
    assert state(concern) == before
    assert open_task(concern, "triage").owner == dsl  # still hers to complete


def test_a_decision_whose_second_referral_fails_leaves_no_referral(submit, dsl):
    concern = submit()
    triage(concern, dsl)
    services.task_claim(task=open_task(concern, "decide"), user=dsl)
    before = state(concern)
    second = {"seen": 0}

    def on_the_second(instance, created):
        second["seen"] += created
        return second["seen"] == 2

    with failing_when_saved(Referral, when=on_the_second), pytest.raises(Injected):
        decide(concern, dsl, agencies=("csc", "police"))
    assert state(concern) == before


def test_a_referral_response_whose_next_step_fails_is_not_recorded(submit, dsl):
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, agencies=("csc",))
    task = open_task(concern, "follow_up")
    services.task_claim(task=task, user=dsl)
    before = state(concern)
    with failing_when_saved(CaseTask), pytest.raises(Injected):
        services.referral_save(
            task=task,
            user=dsl,
            complete=True,
            contacted_on=timezone.localdate(),
            method=Referral.Method.PHONE,
            responded_on=timezone.localdate(),
            agency_outcome=Referral.AgencyOutcome.ASSESSMENT,
        )
    assert state(concern) == before
    referral = Referral.objects.get(concern=concern)
    assert referral.responded_on is None and referral.completed_at is None


def test_a_closure_that_fails_part_way_leaves_the_concern_open(submit, dsl):
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, outcome="monitor", agencies=())
    services.task_claim(task=open_task(concern, "close"), user=dsl)
    before = state(concern)

    def closing(instance, created):
        return not created and instance.status == Concern.Status.CLOSED

    with failing_when_saved(Concern, when=closing), pytest.raises(Injected):
        close(concern, dsl)
    assert state(concern) == before
    assert concern.status != Concern.Status.CLOSED


def test_a_submission_that_fails_keeps_no_concern_and_no_file(
    submit, school, staff, private_storage, monkeypatch
):
    """The process cannot start after the files were stored: the files go too."""
    child = builders.pupil(school)

    def broken(**kwargs):
        raise Injected("the engine is down")

    monkeypatch.setattr(ConcernFlow.start, "run", broken)
    with pytest.raises(Injected):
        builders.concern(
            school=school,
            by=staff,
            children=[child],
            what_happened="Ava said he pushed her off the climbing frame.",
            attachments=[pdf("photo-1.pdf"), pdf("photo-2.pdf")],
        )
    assert not Concern.objects.exists()
    assert not ConcernPupil.objects.exists()
    assert not ConcernAttachment.objects.exists()
    assert not CaseTask.objects.exists()
    assert stored_files(private_storage) == []


def test_a_file_note_whose_second_document_fails_keeps_nothing(
    dsl, pupil, private_storage
):
    saved = {"documents": 0}

    def second_document(instance, created):
        saved["documents"] += created
        return saved["documents"] == 2

    with failing_when_saved(NoteAttachment, when=second_document):
        with pytest.raises(Injected):
            file_note_add(
                pupil=pupil,
                user=dsl,
                submission_key=uuid.uuid4(),
                kind="meeting",
                title="Strategy meeting",
                occurred_at=timezone.now(),
                body="Agreed a safety plan with social care.",
                attachments=[pdf("minutes.pdf"), pdf("plan.pdf")],
            )
    assert not FileNote.objects.filter(pupil=pupil).exists()
    assert not NoteAttachment.objects.exists()
    assert stored_files(private_storage) == []


def test_a_transfer_whose_send_fails_keeps_no_bundle(
    file_with_history,  # noqa: F811 (the fixture)
    dsl,
    private_storage,
    monkeypatch,
):
    """The bundle (the child's whole file, encrypted) is written, then the step
    fails: the transfer is not sent, and no copy of the file is left in storage."""
    from records.models import Transfer
    from workflows.transfers.services import sending

    transfer = transfer_out(file_with_history, dsl)

    def broken(*args, **kwargs):
        raise Injected("the audit log is unreachable")

    monkeypatch.setattr(sending, "access_record", broken)
    with pytest.raises(Injected):
        transfer_send(transfer, dsl)
    transfer.refresh_from_db()
    assert transfer.status != Transfer.Status.SENT and not transfer.sent_at
    assert not transfer.documents.exists()
    kept = [
        str(path.relative_to(private_storage)) for path in stored_files(private_storage)
    ]
    assert kept and all(name.startswith("files/") for name in kept)  # the note's only
