"""Refused access is audited: a signed-in user refused a case URL gets the same 404
as before, and an ACCESS_DENIED entry names what was asked for (no case content),
rate-limited per user, visible to the DSLs of the school concerned."""

import pytest
from django.core.cache import cache
from django.urls import get_resolver, reverse

from accounts.models import Role
from audit.models import AuditAction, ChainedLogEntry
from audit.refusals import CASE_URLS

from ..factories import PupilFactory


@pytest.fixture(autouse=True)
def fresh_counts():
    """Refusal counts live in the cache, keyed by user id (ids recur between
    tests on SQLite)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def limit(settings):
    settings.AUDIT_REFUSALS_PER_WINDOW = 20
    return 20


def refusals():
    return ChainedLogEntry.objects.filter(action=AuditAction.ACCESS_DENIED).order_by(
        "pk"
    )


def test_staff_opening_a_childs_file_by_url_is_refused_and_recorded(
    school, staff, verified_client
):
    child = PupilFactory(school=school, first_name="Canary", last_name="Childname")
    client = verified_client(staff)

    response = client.get(reverse("records_admin:file_detail", args=[child.pk]))

    assert response.status_code == 404
    (entry,) = refusals()
    assert entry.actor == staff
    assert (entry.content_type.model, entry.object_pk) == ("pupil", str(child.pk))
    assert entry.additional_data["url_name"] == "records_admin:file_detail"
    assert entry.additional_data["object"] == {
        "kind": "records.pupil",
        "id": str(child.pk),
    }
    # Named by id, never described: no case content in the entry.
    assert "Canary" not in entry.object_repr
    assert "Childname" not in str(entry.additional_data)


def test_staff_opening_a_concern_by_url_is_refused_and_recorded(
    submit, make_member, verified_client
):
    concern = submit()
    client = verified_client(make_member(Role.STAFF))

    response = client.get(reverse("workflows:casework_concern", args=[concern.pk]))

    assert response.status_code == 404
    (entry,) = refusals()
    assert (entry.content_type.model, entry.object_pk) == ("concern", str(concern.pk))
    assert entry.additional_data["url_name"] == "workflows:casework_concern"
    assert concern.what_happened not in str(entry.additional_data)


def test_staff_opening_a_task_by_url_is_recorded_about_its_case(
    submit, make_member, verified_client
):
    from workflows.models import CaseTask

    concern = submit()
    task = CaseTask.objects.filter(concern=concern).first()
    client = verified_client(make_member(Role.STAFF))

    response = client.get(reverse("workflows:casework_task", args=[task.pk]))

    assert response.status_code == 404
    (entry,) = refusals()
    assert entry.content_type.model == "caseprocess"
    assert entry.object_pk == str(task.process_id)
    assert entry.additional_data["object"] == {
        "kind": "workflows.casetask",
        "id": str(task.pk),
    }


def stored(model, *, by, **fields):
    """A document's row (the refusal comes before any file is read)."""
    return model.objects.create(
        original_name="minutes.pdf",
        content_type="application/pdf",
        size=3,
        sha256="0" * 64,
        uploaded_by=by,
        file="private/minutes.pdf",
        **fields,
    )


def assert_recorded_about(entry, obj, url_name, kind):
    assert (entry.content_type.model, entry.object_pk) == (
        obj._meta.model_name,
        str(obj.pk),
    )
    assert entry.additional_data["url_name"] == url_name
    assert entry.additional_data["object"] == {"kind": kind, "id": str(obj.pk)}
    assert "minutes" not in str(entry.additional_data) + entry.object_repr


def test_staff_downloading_a_document_on_a_childs_file_is_refused_and_recorded(
    school, dsl, staff, verified_client
):
    from django.utils import timezone

    from records.models import FileNote, NoteAttachment

    note = FileNote.objects.create(
        pupil=PupilFactory(school=school),
        kind=FileNote.Kind.DOCUMENT,
        title="Minutes",
        occurred_at=timezone.now(),
        body="Minutes attached.",
        recorded_by=dsl,
    )
    document = stored(NoteAttachment, by=dsl, note=note)

    response = verified_client(staff).get(
        reverse("records_admin:file_document", args=[document.pk])
    )

    assert response.status_code == 404
    (entry,) = refusals()
    assert_recorded_about(
        entry, document, "records_admin:file_document", "records.noteattachment"
    )


def test_staff_downloading_a_concerns_attachment_is_refused_and_recorded(
    submit, dsl, make_member, verified_client
):
    from records.models import ConcernAttachment

    attachment = stored(ConcernAttachment, by=dsl, concern=submit())
    client = verified_client(make_member(Role.STAFF))

    response = client.get(reverse("records:attachment_download", args=[attachment.pk]))

    assert response.status_code == 404
    (entry,) = refusals()
    assert_recorded_about(
        entry, attachment, "records:attachment_download", "records.concernattachment"
    )


def test_staff_opening_a_transfer_document_is_refused_and_recorded(
    school, dsl, staff, verified_client
):
    from records.models import Transfer, TransferDocument

    transfer = Transfer.objects.create(
        direction=Transfer.Direction.OUT,
        status=Transfer.Status.PREPARING,
        pupil=PupilFactory(school=school),
        school=school,
        other_school_name="Another school",
        started_by=dsl,
    )
    document = stored(
        TransferDocument,
        by=dsl,
        transfer=transfer,
        purpose=TransferDocument.Purpose.EVIDENCE,
    )

    response = verified_client(staff).get(
        reverse("workflows:transfer_document", args=[transfer.pk, document.pk])
    )

    assert response.status_code == 404
    (entry,) = refusals()
    assert_recorded_about(
        entry, document, "workflows:transfer_document", "records.transferdocument"
    )


def test_an_api_object_refused_is_recorded_about_the_person_who_asked(
    db, staff, client
):
    """A form the user may not fill in (here one that does not exist), asked for
    through the API with a token: the entry is about the token's user."""
    from api.models import Scope
    from api.services import token_create

    _token, secret = token_create(user=staff, name="Client", scopes=[Scope.SUBMIT])

    response = client.get(
        "/api/v1/forms/987654", headers={"Authorization": f"Bearer {secret}"}
    )

    assert response.status_code == 404
    (entry,) = refusals()
    assert entry.actor == staff
    assert (entry.content_type.model, entry.object_pk) == ("user", str(staff.pk))
    assert entry.additional_data["url_name"] == "api-v1:form_detail"
    assert entry.additional_data["object"] == {
        "kind": "concern_forms.concernformpage",
        "id": "987654",
    }


def test_staff_opening_the_audit_log_is_refused_and_recorded_about_them(
    staff, verified_client
):
    response = verified_client(staff).get(reverse("oversight:audit_log"))

    assert response.status_code == 404
    (entry,) = refusals()
    assert (entry.content_type.model, entry.object_pk) == ("user", str(staff.pk))
    assert entry.additional_data["url_name"] == "oversight:audit_log"


def test_a_made_up_id_is_recorded_about_the_person_who_asked(staff, verified_client):
    verified_client(staff).get(reverse("records_admin:file_detail", args=[987654]))

    (entry,) = refusals()
    assert (entry.content_type.model, entry.object_pk) == ("user", str(staff.pk))
    assert entry.additional_data["object"]["id"] == "987654"


def test_after_the_limit_a_crawler_writes_no_more_entries(
    school, staff, verified_client, limit
):
    client = verified_client(staff)
    for number in range(limit + 5):
        response = client.get(
            reverse("records_admin:file_detail", args=[900000 + number])
        )
        assert response.status_code == 404  # still refused, only not recorded

    entries = list(refusals())
    assert len(entries) == limit
    assert "not recorded" in entries[-1].additional_data["limit_reached"]
    assert "limit_reached" not in entries[-2].additional_data


def test_the_limit_is_per_user(school, staff, make_member, verified_client, limit):
    client = verified_client(staff)
    for number in range(limit + 1):
        client.get(reverse("records_admin:file_detail", args=[900000 + number]))
    other = make_member(Role.STAFF)
    verified_client(other).get(reverse("records_admin:file_detail", args=[1]))

    assert refusals().filter(actor=other).count() == 1


def test_the_dsl_sees_the_refusal_in_the_audit_log(
    school, staff, dsl, verified_client, client
):
    child = PupilFactory(school=school)
    verified_client(staff).get(reverse("records_admin:file_detail", args=[child.pk]))
    client.logout()

    page = verified_client(dsl).get(
        reverse("oversight:audit_log"), {"action": AuditAction.ACCESS_DENIED}
    )

    text = page.content.decode()
    assert page.status_code == 200
    assert "Access refused" in text
    assert f"access refused: records_admin:file_detail #{child.pk}" in text
    assert str(staff) in text


def test_a_dsl_at_another_school_does_not_see_it(
    school, other_school, staff, make_member, verified_client, client
):
    child = PupilFactory(school=school)
    verified_client(staff).get(reverse("records_admin:file_detail", args=[child.pk]))
    client.logout()
    elsewhere = make_member(Role.DSL, at=other_school)

    page = verified_client(elsewhere).get(reverse("oversight:audit_log"))

    assert "records_admin:file_detail" not in page.content.decode()


def test_pages_that_are_no_case_url_and_signed_out_requests_write_nothing(
    school, staff, verified_client, client
):
    child = PupilFactory(school=school)
    assert (
        client.get(reverse("records_admin:file_detail", args=[child.pk])).status_code
        == 302
    )
    assert verified_client(staff).get("/admin/no-such-page/").status_code == 404

    assert not refusals().exists()


def test_a_permitted_request_writes_no_refusal(school, dsl, verified_client):
    child = PupilFactory(school=school)
    response = verified_client(dsl).get(
        reverse("records_admin:file_detail", args=[child.pk])
    )
    assert response.status_code == 200
    assert not refusals().exists()


def test_every_covered_url_name_exists():
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                inner = pattern.namespace or ""
                walk(
                    pattern.url_patterns,
                    f"{namespace}{inner}:" if inner else namespace,
                )
            elif pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    assert set(CASE_URLS) - names == set()
