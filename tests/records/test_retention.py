"""Retention: files reviewed at the child's 25th birthday, legal holds that block
destruction, and destruction as the only way a file goes, with a certificate."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from records import retention
from records.models import (
    Concern,
    DestructionCertificate,
    InvolvementRole,
    NoteAttachment,
    Pupil,
)
from records.storage import private_storage
from workflows.models import CaseProcess, CaseTask

from .. import builders
from ..builders import file_note, triage
from ..factories import PupilFactory

TODAY = date(2040, 3, 1)


@pytest.fixture
def adult_file(submit, dsl, school):
    """A child now 25, who left years ago: a concern only about them (triaged, so
    with a workflow), a concern shared with another child, a note with a file."""
    concern = submit()
    child = concern.involvements.get().pupil
    Pupil.objects.filter(pk=child.pk).update(
        date_of_birth=date(2015, 2, 1), date_left=date(2026, 7, 20)
    )
    child.refresh_from_db()
    triage(concern, dsl)
    other = builders.pupil(school)
    shared = submit(children=[other, (child, InvolvementRole.WITNESS)])
    file_note(
        child,
        dsl,
        title="Strategy meeting",
        body="Notes of the meeting.",
        attachments=[SimpleUploadedFile("minutes.txt", b"minutes\n")],
    )
    return {"child": child, "own": concern, "shared": shared, "other": other}


def test_the_queue_lists_leavers_reaching_their_25th_birthday(adult_file, dsl, school):
    child = adult_file["child"]
    on_roll = PupilFactory(school=school, date_of_birth=date(2015, 1, 1))
    young_leaver = PupilFactory(
        school=school, date_of_birth=date(2020, 1, 1), date_left=date(2026, 7, 20)
    )
    queued = list(retention.retention_queue(dsl, today=TODAY))
    assert child in queued
    assert on_roll not in queued and young_leaver not in queued
    assert retention.review_date(child) == date(2040, 2, 1)


def test_a_legal_hold_blocks_destruction_until_lifted(adult_file, dsl):
    child = adult_file["child"]
    hold = retention.hold_place(
        pupil=child, user=dsl, reason="Public inquiry: keep all records."
    )
    with pytest.raises(ValidationError, match="legal hold"):
        retention.file_destroy(
            pupil=child,
            user=dsl,
            reason="Retention period over.",
            confirm_upn=child.upn,
            today=TODAY,
        )
    assert Pupil.objects.filter(pk=child.pk).exists()
    with pytest.raises(ValidationError, match="why the hold"):
        retention.hold_lift(hold=hold, user=dsl, reason="")
    retention.hold_lift(hold=hold, user=dsl, reason="The inquiry has reported.")
    retention.file_destroy(
        pupil=child,
        user=dsl,
        reason="Retention period over.",
        confirm_upn=child.upn,
        today=TODAY,
    )
    assert not Pupil.objects.filter(pk=child.pk).exists()


def test_not_before_the_review_date_nor_while_on_roll_nor_without_the_upn(
    adult_file, dsl
):
    child = adult_file["child"]
    with pytest.raises(ValidationError, match="25th birthday"):
        retention.file_destroy(
            pupil=child,
            user=dsl,
            reason="Tidying up.",
            confirm_upn=child.upn,
            today=date(2039, 12, 1),
        )
    with pytest.raises(ValidationError) as wrong:
        retention.file_destroy(
            pupil=child, user=dsl, reason="Over.", confirm_upn="X", today=TODAY
        )
    assert "confirm_upn" in wrong.value.message_dict
    Pupil.objects.filter(pk=child.pk).update(date_left=None)
    child.refresh_from_db()
    with pytest.raises(ValidationError, match="still on roll"):
        retention.file_destroy(
            pupil=child, user=dsl, reason="Over.", confirm_upn=child.upn, today=TODAY
        )
    assert Pupil.objects.filter(pk=child.pk).exists()


def test_destruction_removes_the_file_keeps_other_childrens_and_certifies(
    adult_file, dsl
):
    child, own, shared = adult_file["child"], adult_file["own"], adult_file["shared"]
    stored = NoteAttachment.objects.get(note__pupil=child).file.name
    assert private_storage.exists(stored)
    with django_capture_on_commit():
        certificate = retention.file_destroy(
            pupil=child,
            user=dsl,
            reason="Reached 25; no hold; reviewed with the head.",
            confirm_upn=child.upn.lower(),
            today=TODAY,
        )
    assert not Pupil.objects.filter(pk=child.pk).exists()
    assert not Concern.objects.filter(pk=own.pk).exists()
    assert not CaseProcess.objects.filter(concern_id=own.pk).exists()
    assert not CaseTask.objects.filter(concern_id=own.pk).exists()
    # The shared concern stays, with the other child only.
    assert list(shared.involvements.values_list("pupil", flat=True)) == [
        adult_file["other"].pk
    ]
    assert not private_storage.exists(stored)
    assert certificate.upn == child.upn and certificate.birth_year == 2015
    assert certificate.records["concerns"] == 1
    assert certificate.records["concerns_kept_for_other_children"] == 1
    assert certificate.records["notes"] == 1
    assert DestructionCertificate.objects.get().destroyed_by == dsl


def django_capture_on_commit():
    """Run on_commit callbacks (file removal) inside the test's transaction."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.mark.parametrize(
    "role", [Role.DEPUTY_DSL, Role.HEAD, Role.STAFF, Role.CONFIGURATOR]
)
def test_only_a_dsl_of_the_school_holds_or_destroys(adult_file, make_member, role):
    child = adult_file["child"]
    user = make_member(role)
    with pytest.raises(PermissionDenied):
        retention.hold_place(pupil=child, user=user, reason="Keep it.")
    with pytest.raises(PermissionDenied):
        retention.file_destroy(
            pupil=child, user=user, reason="Over.", confirm_upn=child.upn, today=TODAY
        )


def test_the_pages_for_each_role(
    adult_file, make_member, other_school, verified_client
):
    child = adult_file["child"]
    pages = [
        reverse("records_admin:retention_queue"),
        reverse("records_admin:retention_destroy", args=[child.pk]),
        reverse("records_admin:retention_hold_add", args=[child.pk]),
    ]
    for role, at in [
        (Role.STAFF, None),
        (Role.DEPUTY_DSL, None),
        (Role.HEAD, None),
        (Role.CONFIGURATOR, None),
        (Role.DSL, other_school),
    ]:
        client = verified_client(make_member(role, at=at))
        for url in pages:
            status = client.get(url).status_code
            if role == Role.DSL and url == pages[0]:
                assert status == 200  # their own (empty) queue
            else:
                assert status in (302, 403, 404), (role, url, status)
    client = verified_client(make_member(Role.DSL))
    page = client.get(pages[1])
    assert page.status_code == 200
    assert b"cannot be destroyed now" in page.content  # review date not reached
    response = client.post(pages[2], {"reason": ""})
    assert b"This field is required" in response.content
    response = client.post(pages[2], {"reason": "Civil claim notified."})
    assert response.status_code == 302
    assert child.holds.get().reason == "Civil claim notified."
    assert client.get(pages[0]).status_code == 200


def test_a_destroyed_files_review_page_is_gone_and_the_certificate_shown(
    adult_file, dsl, verified_client, settings
):
    child = adult_file["child"]
    retention.file_destroy(
        pupil=child, user=dsl, reason="Over.", confirm_upn=child.upn, today=TODAY
    )
    client = verified_client(dsl)
    assert (
        client.get(
            reverse("records_admin:retention_destroy", args=[child.pk])
        ).status_code
        == 404
    )
    certificate = DestructionCertificate.objects.get()
    page = client.get(
        reverse("records_admin:retention_certificate", args=[certificate.pk])
    )
    assert child.upn.encode() in page.content
    assert child.last_name.encode() not in page.content
    assert timedelta(0) <= timezone.now() - certificate.destroyed_at
