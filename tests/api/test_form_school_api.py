"""The API follows the same form rules as the web (forms.forms.CoreConcernForm): a
school's own form refuses a pupil of another school, and a concern about an adult
need not involve a child (tests/forms/test_form_school_and_adult_without_child.py)."""

import uuid

import pytest

from accounts.models import Role
from forms.models import ConcernFormPage
from forms.sections.services import form_section_for_school
from records.models import AdultConcernKind, AdultRole, Concern, ConcernAboutAdult

from ..builders import member
from ..factories import PupilFactory
from .conftest import payload

pytestmark = pytest.mark.django_db

ELSEWHERE = "is not a pupil of"


@pytest.fixture
def own_form(school):
    page = ConcernFormPage(title="Brook Lane concern", slug="brook-lane-concern")
    form_section_for_school(school=school).add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def adult_form(own_form):
    own_form.send_to = Concern.Route.HEAD
    own_form.save_revision().publish()
    return own_form


@pytest.fixture
def both_schools(school, other_school):
    return member(school, Role.STAFF, others=[(other_school, Role.STAFF)])


@pytest.fixture
def their_pupil(other_school):
    return PupilFactory(school=other_school, first_name="Farah", last_name="Farhill")


def test_the_api_refuses_a_pupil_of_another_school_on_a_schools_form(
    as_user, both_schools, own_form, answers, their_pupil
):
    data = {**answers, "pupil": [their_pupil.pk], "pupil_role": ["subject"]}
    body = payload(data, answers={})
    response = as_user(both_schools).post(f"/forms/{own_form.pk}/concerns", body)
    assert response.status_code == 422
    assert ELSEWHERE in str(response.json())
    assert not Concern.objects.exists()


def test_the_api_takes_a_concern_about_an_adult_with_no_child(
    as_user, staff, adult_form, answers
):
    body = payload(
        answers,
        submission_key=str(uuid.uuid4()),
        pupils=[],
        child_voice="",
        answers={},
        adult={
            "kind": AdultConcernKind.LOW_LEVEL,
            "role": AdultRole.VISITOR,
            "name": "Val Visitor",
            "relationship": "Receptionist",
        },
    )
    client = as_user(staff)
    definition = client.get(f"/forms/{adult_form.pk}").json()
    pupils = next(f for f in definition["fields"] if f["name"] == "pupils")
    assert pupils["required"] is False
    response = client.post(f"/forms/{adult_form.pk}/concerns", body)
    assert response.status_code == 201, response.content
    assert ConcernAboutAdult.objects.get().name == "Val Visitor"
    assert not Concern.objects.get().involvements.exists()


def test_the_api_still_needs_a_child_on_a_childs_form(
    as_user, staff, own_form, answers
):
    body = payload(answers, pupils=[], answers={}, submission_key=str(uuid.uuid4()))
    response = as_user(staff).post(f"/forms/{own_form.pk}/concerns", body)
    assert response.status_code == 422
    assert "Name at least one child" in str(response.json())
    assert not Concern.objects.exists()
