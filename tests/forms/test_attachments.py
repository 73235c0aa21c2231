"""Files on a concern: checked on the way in, private, served only to those who may
read the concern, and every download logged."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from audit.models import ChainedLogEntry
from records.models import Concern, ConcernAttachment

from .. import builders
from ..conftest import stored_files

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private(private_storage):
    """Every test here keeps its files in a temporary folder (tests/conftest.py)."""
    return private_storage


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_attached_pdf_is_stored_privately_under_a_random_name(
    verified_client, staff, form_page, answers, private_storage
):
    answers["attachments"] = [upload("../../note from Ava.pdf", PDF)]
    verified_client(staff).post(form_page.url, answers)

    attachment = ConcernAttachment.objects.get()
    assert attachment.original_name == "note from Ava.pdf"
    assert attachment.content_type == "application/pdf"
    assert len(attachment.sha256) == 64
    [path] = stored_files(private_storage)
    assert path.read_bytes() == PDF
    assert "Ava" not in path.name


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 64, "isn&#x27;t a type of file"),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "isn&#x27;t a type"),
        ("big.pdf", PDF + b"0" * 2048, "files can be at most"),
    ],
)
def test_wrong_or_oversize_files_are_refused_and_nothing_is_saved(
    verified_client,
    staff,
    form_page,
    answers,
    private_storage,
    settings,
    name,
    content,
    message,
):
    settings.CHRONICLE_ATTACHMENT_MAX_BYTES = 1024
    answers["attachments"] = [upload(name, content, "application/pdf")]
    response = verified_client(staff).post(form_page.url, answers)
    page = response.content.decode()
    assert message in page
    assert "please choose them again" in page
    assert not Concern.objects.exists()
    assert stored_files(private_storage) == []


def test_a_failure_part_way_leaves_no_record_and_no_file(
    school, staff, private_storage
):
    pupil = builders.pupil(school)
    with pytest.raises(ValidationError):
        builders.concern(
            school=school,
            by=staff,
            children=[pupil],
            category="neglect",
            location="home",
            attachments=[
                upload("a.pdf", PDF),
                upload("b.pdf", b"not a pdf at all\xff"),
            ],
            occurred_on="2026-11-02",
            what_happened="Synthetic.",
            child_voice="Synthetic.",
        )
    assert not Concern.objects.exists()
    assert stored_files(private_storage) == []


def test_only_the_schools_dsls_download_and_each_download_is_logged(
    verified_client, staff, make_member, other_school, form_page, answers
):
    answers["attachments"] = [upload("note.pdf", PDF)]
    verified_client(staff).post(form_page.url, answers)
    attachment = ConcernAttachment.objects.get()
    url = reverse("records:attachment_download", args=[attachment.pk])

    dsl = make_member(Role.DSL)
    response = verified_client(dsl).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith('attachment; filename="note.pdf"')
    entry = ChainedLogEntry.objects.get_for_object(attachment).latest("pk")
    assert (entry.action, entry.actor) == (ChainedLogEntry.Action.ACCESS, dsl)

    for outsider in (
        staff,
        make_member(Role.DSL, at=other_school),
        make_member(Role.HEAD),
    ):
        assert verified_client(outsider).get(url).status_code == 404


def test_dsl_records_a_paper_report_for_someone_without_access(
    verified_client, make_member, form_page, answers
):
    dsl = make_member(Role.DSL)
    answers["reported_by_name"] = "Pat Lee, midday supervisor"
    answers["attachments"] = [upload("paper form.pdf", PDF)]
    verified_client(dsl).post(form_page.url, answers)

    concern = Concern.objects.get()
    assert (concern.reported_by, concern.reported_by_name, concern.recorded_by) == (
        None,
        "Pat Lee, midday supervisor",
        dsl,
    )
    assert (
        concern.reference
        in verified_client(dsl).get(reverse("forms:my_reports")).content.decode()
    )


def test_staff_cannot_claim_someone_else_reported(
    verified_client, staff, form_page, answers
):
    assert (
        "Recording a paper report"
        not in verified_client(staff).get(form_page.url).content.decode()
    )
    answers["reported_by_name"] = "Somebody else"
    verified_client(staff).post(form_page.url, answers)
    concern = Concern.objects.get()
    assert (concern.reported_by, concern.reported_by_name) == (staff, "")
