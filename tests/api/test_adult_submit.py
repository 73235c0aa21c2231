"""The API names the adult a concern is about, as the web form does (ConcernIn
.adult), through the same form and intake: one record per submission key."""

import uuid

import pytest

from accounts.models import Role
from records.models import AdultConcernKind, AdultRole, Concern, ConcernAboutAdult

from ..builders import member
from .conftest import payload

pytestmark = pytest.mark.django_db

FORMS = "/forms"


@pytest.fixture
def adult_form(form_page):
    form_page.send_to = Concern.Route.HEAD
    form_page.save_revision().publish()
    return form_page


@pytest.fixture
def teacher(school):
    return member(school, Role.STAFF, first_name="Terry", last_name="Teacher")


def test_the_api_names_the_adult(as_user, staff, adult_form, answers, teacher):
    client = as_user(staff)
    body = payload(
        answers,
        adult={
            "kind": AdultConcernKind.LOW_LEVEL,
            "role": AdultRole.STAFF,
            "person": teacher.pk,
            "relationship": "Colleague",
        },
    )
    definition = client.get(f"{FORMS}/{adult_form.pk}").json()
    person = next(f for f in definition["fields"] if f["name"] == "adult_person")
    assert {"value": str(teacher.pk), "label": "Terry Teacher"} in person["choices"]
    response = client.post(f"{FORMS}/{adult_form.pk}/concerns", body)
    assert response.status_code == 201, response.content
    assert Concern.objects.get().about_adult.person == teacher
    again = client.post(f"{FORMS}/{adult_form.pk}/concerns", body)
    assert again.status_code in (200, 201)
    assert ConcernAboutAdult.objects.count() == 1


def test_the_api_refuses_a_report_without_the_adult(
    as_user, staff, adult_form, answers
):
    body = payload(answers, submission_key=str(uuid.uuid4()))
    response = as_user(staff).post(f"{FORMS}/{adult_form.pk}/concerns", body)
    assert response.status_code == 422
    assert "adult.kind" in response.json()["errors"]
    assert not Concern.objects.exists()
