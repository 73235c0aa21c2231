"""Reporting a concern through the API: the forms, their definitions, pupil look-up,
submission and the reporter's own list: what the web page allows, and no more."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from forms.models import ConcernDraft, ConcernFormPage
from records.models import Concern, ConcernPupil, InvolvementRole
from taxonomy.models import Term, Vocabulary
from workflows.models import CaseProcess

from ..builders import term
from ..conftest import stored_files
from ..factories import PupilFactory, UserFactory
from .conftest import payload


def submit_url(page):
    return f"/forms/{page.pk}/concerns"


def nothing_stored():
    return not (
        Concern.objects.exists()
        or ConcernPupil.objects.exists()
        or CaseProcess.objects.exists()
    )


# -- forms ----------------------------------------------------------------------------


def test_staff_list_the_live_forms(as_user, staff, form_page):
    draft = ConcernFormPage(title="Not yet published", slug="unpublished", live=False)
    form_page.get_parent().add_child(instance=draft)

    forms = as_user(staff).get("/forms").json()

    assert forms == [
        {
            "id": form_page.pk,
            "title": "General concern",
            "send_to": "dsl_team",
            "url": form_page.url,
        }
    ]
    assert as_user(staff).get(f"/forms/{draft.pk}").status_code == 404


def test_every_role_may_report(as_user, make_member, form_page):
    for role in Role:
        response = as_user(make_member(role)).get(f"/forms/{form_page.pk}")
        assert response.status_code == 200, role


def test_no_role_no_forms(as_user, form_page):
    response = as_user(UserFactory()).get(f"/forms/{form_page.pk}")
    assert response.status_code == 403


def test_a_form_definition_has_what_a_client_needs_to_render_it(
    as_user, staff, form_page
):
    form = as_user(staff).get(f"/forms/{form_page.pk}").json()

    fields = {field["name"]: field for field in form["fields"]}
    assert list(fields)[:3] == ["pupils", "submission_key", "occurred_on"]
    assert fields["what_happened"]["help_text"] == form_page.what_happened_prompt
    assert fields["what_happened"]["required"] is True
    assert fields["immediate_risk"]["type"] == "boolean"
    assert fields["location_detail"]["max_length"] == 255
    assert "reported_by_name" not in fields  # DSLs only, as on the web
    assert fields["attachments"]["type"] == "files"
    assert form["questions"] == [
        {
            "name": "has_anyone_else_been_told",
            "label": "Has anyone else been told?",
            "type": "yesno",
            "required": True,
            "help_text": "",
            "max_length": None,
            "choices": [
                {"value": "yes", "label": "Yes"},
                {"value": "no", "label": "No"},
            ],
            "default": None,
        }
    ]
    abuse = {c["name"]: c for c in form["categories"]}["Child-on-child abuse"]
    assert abuse["definition"].startswith("Abuse of a child by another child")
    bullying = {c["name"]: c for c in abuse["children"]}[
        "Bullying, including cyberbullying"
    ]
    assert bullying["id"] == term(Vocabulary.CATEGORY, "bullying").pk
    assert "Playground" in [loc["name"] for loc in form["locations"]]
    assert [r["value"] for r in form["involvement_roles"]] == InvolvementRole.values


def test_a_dsl_is_also_asked_who_made_a_paper_report(as_user, dsl, form_page):
    form = as_user(dsl).get(f"/forms/{form_page.pk}").json()
    assert "reported_by_name" in [field["name"] for field in form["fields"]]


def test_a_schools_own_terms_are_offered_only_at_that_school(
    as_user, staff, other_school, form_page
):
    Term.objects.create(
        vocabulary=Vocabulary.LOCATION,
        name="Far Hill swimming pool",
        school=other_school,
    )
    Term.objects.create(
        vocabulary=Vocabulary.CATEGORY,
        name="Far Hill only",
        definition="Only there.",
        school=other_school,
    )
    Term.objects.filter(vocabulary=Vocabulary.LOCATION, key="toilets").update(
        is_active=False
    )

    form = as_user(staff).get(f"/forms/{form_page.pk}").json()

    locations = [loc["name"] for loc in form["locations"]]
    assert "Far Hill swimming pool" not in locations
    assert "Toilets" not in locations  # retired
    assert "Far Hill only" not in str(form["categories"])


def test_a_form_that_does_not_exist_is_a_json_404(as_user, staff):
    response = as_user(staff).get("/forms/999999")
    assert response.status_code == 404
    assert {"detail": "Not found.", "errors": {}}.items() <= response.json().items()


# -- pupil look-up --------------------------------------------------------------------


def test_pupil_look_up_follows_the_web_type_ahead(as_user, staff, school, other_school):
    PupilFactory(
        school=school, first_name="Ava", last_name="Okafor", upn="A123456789012"
    )
    PupilFactory(
        school=school,
        first_name="Avery",
        last_name="Left",
        date_left=timezone.localdate(),
    )
    PupilFactory(school=other_school, first_name="Ava", last_name="Elsewhere")
    client = as_user(staff)

    assert client.get("/pupils", {"q": "A"}).json() == {"results": []}
    results = client.get("/pupils", {"q": "ava"}).json()["results"]
    assert [pupil["name"] for pupil in results] == ["Ava Okafor"]
    assert set(results[0]) == {"id", "name", "year_group", "school", "label"}
    assert results[0]["label"] == f"Ava Okafor · Year 5 · {school.name}"
    by_upn = client.get("/pupils", {"q": "A123456789012"}).json()["results"]
    assert [pupil["name"] for pupil in by_upn] == ["Ava Okafor"]
    assert client.get("/pupils", {"q": "A12345678901"}).json()["results"] == []


def test_pupil_look_up_returns_ten_at_most(as_user, staff, school):
    PupilFactory.create_batch(12, school=school, last_name="Same")
    assert len(as_user(staff).get("/pupils", {"q": "same"}).json()["results"]) == 10


def test_pupil_look_up_refuses_what_the_database_cannot_search(as_user, staff):
    response = as_user(staff).get("/pupils", {"q": "ab\x00cd"})
    assert response.status_code == 422
    assert "q" in response.json()["errors"]


# -- submitting -----------------------------------------------------------------------


def test_submitting_makes_the_same_record_as_the_web_form(
    as_user, staff, school, form_page, answers
):
    response = as_user(staff).post(submit_url(form_page), payload(answers))

    assert response.status_code == 201
    concern = Concern.objects.get()
    assert response.json() == {
        "reference": concern.reference,
        "form": "General concern",
        "submitted_at": response.json()["submitted_at"],
        "status": "received",
        "status_label": "Received",
    }
    roles = {i.pupil_id: i.role for i in concern.involvements.all()}
    assert roles == dict(zip(answers["pupil"], answers["pupil_role"], strict=True))
    assert (concern.school, concern.reported_by, concern.recorded_by) == (
        school,
        staff,
        staff,
    )
    assert concern.primary_category_name == (
        "Child-on-child abuse › Bullying, including cyberbullying"
    )
    assert concern.tag_names == ["Physical abuse"]
    assert concern.immediate_risk is False
    assert concern.answers[0]["answer"] == "yes"
    assert CaseProcess.objects.filter(concern=concern).exists()  # the workflow runs


def test_yes_no_questions_also_take_true_and_false(as_user, staff, form_page, answers):
    body = payload(answers, answers={"has_anyone_else_been_told": False})
    as_user(staff).post(submit_url(form_page), body)
    assert Concern.objects.get().answers[0]["answer"] == "no"


def test_a_double_submit_makes_one_record(as_user, staff, form_page, answers):
    client = as_user(staff)
    first = client.post(submit_url(form_page), payload(answers))
    second = client.post(submit_url(form_page), payload(answers))

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Concern.objects.count() == 1


def test_someone_elses_submission_key_is_refused(
    as_user, staff, make_member, form_page, answers
):
    as_user(staff).post(submit_url(form_page), payload(answers))
    response = as_user(make_member(Role.STAFF)).post(
        submit_url(form_page), payload(answers)
    )
    assert response.status_code == 422
    assert response.json()["errors"]["__all__"] == [
        "This form was already submitted by someone else."
    ]
    assert Concern.objects.count() == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"what_happened": ""}, "what_happened"),
        ({"child_voice": ""}, "child_voice"),
        ({"location": 999999}, "location"),
        ({"primary_category": 999999}, "primary_category"),
        (
            {"occurred_on": (timezone.localdate() + timedelta(days=2)).isoformat()},
            "occurred_on",
        ),
        ({"answers": {}}, "answers.has_anyone_else_been_told"),
        (
            {"answers": {"has_anyone_else_been_told": "maybe"}},
            "answers.has_anyone_else_been_told",
        ),
        (
            {"answers": {"no_such_question": "yes", "has_anyone_else_been_told": "no"}},
            "answers.no_such_question",
        ),
        ({"pupils": []}, "__all__"),
        ({"pupils": [{"pupil": 1, "role": "bystander"}]}, "pupils.0.role"),
        ({"submission_key": "not-a-uuid"}, "submission_key"),
        ({"immediate_risk": None}, "immediate_risk"),
        ({"reported_by_name": "Mrs Jones, lunchtime supervisor"}, "reported_by_name"),
    ],
)
def test_a_refused_submission_says_why_field_by_field_and_stores_nothing(
    as_user, staff, form_page, answers, changes, field
):
    response = as_user(staff).post(submit_url(form_page), payload(answers, **changes))

    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    assert field in body["errors"], body
    assert all(isinstance(m, str) for ms in body["errors"].values() for m in ms)
    assert nothing_stored()


def test_a_child_at_another_school_cannot_be_named(
    as_user, staff, other_school, form_page, answers
):
    stranger = PupilFactory(school=other_school)
    body = payload(
        answers, pupils=[{"pupil": stranger.pk, "role": InvolvementRole.SUBJECT}]
    )
    response = as_user(staff).post(submit_url(form_page), body)
    assert response.status_code == 422
    assert response.json()["errors"]["__all__"] == [
        "One of the children can't be found at your school."
    ]
    assert nothing_stored()


def test_a_term_of_another_school_is_refused_by_the_service(
    as_user, make_member, school, other_school, form_page, answers
):
    both = make_member(Role.STAFF)
    from accounts.services import membership_grant

    membership_grant(user=both, school=other_school, role=Role.STAFF)
    elsewhere = Term.objects.create(
        vocabulary=Vocabulary.LOCATION, name="Far Hill pool", school=other_school
    )
    response = as_user(both).post(
        submit_url(form_page), payload(answers, location=elsewhere.pk)
    )
    assert response.status_code == 422
    assert "another school" in response.json()["errors"]["__all__"][0]
    assert nothing_stored()


def test_a_dsl_records_a_paper_report_for_someone_without_access(
    as_user, dsl, form_page, answers
):
    body = payload(answers, reported_by_name="Mrs Jones, lunchtime supervisor")
    assert as_user(dsl).post(submit_url(form_page), body).status_code == 201
    concern = Concern.objects.get()
    assert (concern.reported_by, concern.recorded_by) == (None, dsl)
    assert concern.reported_by_name == "Mrs Jones, lunchtime supervisor"


def test_a_form_retired_after_it_was_fetched_still_takes_the_report(
    as_user, staff, form_page, answers
):
    form_page.unpublish()
    response = as_user(staff).post(submit_url(form_page), payload(answers))
    assert response.status_code == 201


def test_no_role_no_submission(as_user, form_page, answers):
    response = as_user(UserFactory()).post(submit_url(form_page), payload(answers))
    assert response.status_code == 403
    assert nothing_stored()


def test_a_web_draft_survives_a_report_sent_through_the_api(
    verified_client, as_user, staff, form_page, answers
):
    from django.urls import reverse

    half_written = {**answers, "submission_key": str(uuid.uuid4())}
    verified_client(staff).post(
        reverse("concern_forms:draft", args=[form_page.pk]), half_written
    )
    as_user(staff).post(submit_url(form_page), payload(answers))
    assert ConcernDraft.objects.filter(user=staff, page=form_page).exists()


def test_a_body_too_large_is_a_json_413(as_user, staff, form_page, answers, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = payload(answers, what_happened="x" * 20_000)
    response = as_user(staff).post(submit_url(form_page), body)
    assert response.status_code == 413
    assert response.json()["detail"] == "The request is too large."
    assert nothing_stored()


def test_malformed_json_is_a_json_error(api_client, make_token, staff, form_page):
    from django.test import Client

    response = Client().post(
        f"/api/v1{submit_url(form_page)}",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {make_token(staff)}"},
    )
    assert response.status_code == 400
    assert {"detail": "Cannot parse request body", "errors": {}}.items() <= (
        response.json().items()
    )
    assert nothing_stored()


# -- my reports -----------------------------------------------------------------------


def test_my_concerns_lists_only_mine_and_none_of_their_content(
    as_user, staff, make_member, form_page, answers
):
    colleague = make_member(Role.STAFF)
    as_user(staff).post(submit_url(form_page), payload(answers))
    other = payload(answers, submission_key=str(uuid.uuid4()))
    as_user(colleague).post(submit_url(form_page), other)

    page = as_user(staff).get("/concerns").json()

    assert page["count"] == 1
    assert set(page["items"][0]) == {
        "reference",
        "form",
        "submitted_at",
        "status",
        "status_label",
    }
    assert answers["what_happened"] not in str(page)


def test_my_concerns_pages_through(as_user, staff, form_page, answers):
    client = as_user(staff)
    for _ in range(3):
        body = payload(answers, submission_key=str(uuid.uuid4()))
        client.post(submit_url(form_page), body)

    first = client.get("/concerns", {"limit": 2}).json()
    rest = client.get("/concerns", {"limit": 2, "offset": 2}).json()

    assert first["count"] == rest["count"] == 3
    assert len(first["items"]) == 2 and len(rest["items"]) == 1
    assert client.get("/concerns", {"limit": 500}).status_code == 422


def test_my_concerns_queries_stay_flat(
    as_user, staff, form_page, answers, django_assert_max_num_queries
):
    client = as_user(staff)
    for _ in range(5):
        body = payload(answers, submission_key=str(uuid.uuid4()))
        client.post(submit_url(form_page), body)
    with django_assert_max_num_queries(12):
        assert len(client.get("/concerns").json()["items"]) == 5


# -- with files ------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def with_files(page):
    return f"/forms/{page.pk}/concerns/with-files"


def upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_files_are_attached_as_on_the_web(
    as_user, staff, form_page, answers, private_storage
):
    import json

    from records.models import ConcernAttachment

    data = {
        "payload": json.dumps(payload(answers)),
        "attachments": [upload("../note from Ava.pdf", PDF)],
    }
    response = as_user(staff).post_multipart(with_files(form_page), data)

    assert response.status_code == 201, response.json()
    attachment = ConcernAttachment.objects.get()
    assert attachment.concern.reference == response.json()["reference"]
    assert attachment.original_name == "note from Ava.pdf"
    assert attachment.content_type == "application/pdf"
    [path] = stored_files(private_storage)
    assert path.read_bytes() == PDF and "Ava" not in path.name

    again = as_user(staff).post_multipart(
        with_files(form_page),
        {"payload": data["payload"], "attachments": [upload("note.pdf", PDF)]},
    )
    assert again.status_code == 200
    assert ConcernAttachment.objects.count() == 1


def test_a_refused_file_stores_nothing(
    as_user, staff, form_page, answers, private_storage
):
    import json

    data = {
        "payload": json.dumps(payload(answers)),
        "attachments": [upload("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 64)],
    }
    response = as_user(staff).post_multipart(with_files(form_page), data)

    assert response.status_code == 422
    assert "isn't a type of file" in response.json()["errors"]["attachments"][0]
    assert nothing_stored()
    assert stored_files(private_storage) == []


def test_too_many_files_are_refused(as_user, staff, form_page, answers):
    import json

    data = {
        "payload": json.dumps(payload(answers)),
        "attachments": [upload(f"page{n}.pdf", PDF) for n in range(6)],
    }
    response = as_user(staff).post_multipart(with_files(form_page), data)
    assert response.status_code == 422
    assert response.json()["errors"]["attachments"] == ["Attach at most 5 files."]
    assert nothing_stored()


def test_a_multipart_payload_is_checked_like_a_json_body(as_user, staff, form_page):
    client = as_user(staff)
    broken = client.post_multipart(with_files(form_page), {"payload": "{not json"})
    assert broken.status_code == 422
    assert "payload" in broken.json()["errors"]
    missing = client.post_multipart(with_files(form_page), {"payload": "{}"})
    assert missing.status_code == 422
    assert "what_happened" in missing.json()["errors"]
    assert nothing_stored()
