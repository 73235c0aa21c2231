"""A form that goes to the case manager names the adult: a member of staff chosen
from the school's people, or a volunteer, contractor or visitor typed in, with the
reporter's relationship to them and whether it is a low-level concern or an
allegation. The web form and the API store it through the same intake."""

import pytest

from accounts.models import Role
from records.models import AdultConcernKind, AdultRole, Concern, ConcernAboutAdult
from workflows.models import CaseTask

from ..builders import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def adult_form(form_page):
    form_page.send_to = Concern.Route.HEAD
    form_page.save_revision().publish()
    return form_page


@pytest.fixture
def teacher(school):
    return member(school, Role.STAFF, first_name="Terry", last_name="Teacher")


def about_staff(answers, person, **changes):
    return {
        **answers,
        "adult_kind": AdultConcernKind.ALLEGATION,
        "adult_role": AdultRole.STAFF,
        "adult_person": person.pk,
        "adult_relationship": "Colleague in Year 4",
        **changes,
    }


def test_the_form_asks_about_the_adult_only_when_it_goes_to_the_case_manager(
    verified_client, staff, form_page, teacher
):
    page = verified_client(staff).get(form_page.url).content.decode()
    assert "The adult this concern is about" not in page
    form_page.send_to = Concern.Route.HEAD
    form_page.save_revision().publish()
    page = verified_client(staff).get(form_page.url).content.decode()
    assert "The adult this concern is about" in page
    assert "Terry Teacher" in page  # the school's people to choose from
    assert "Send in confidence to the case manager" in page


def test_naming_a_member_of_staff_stores_them_with_the_concern(
    verified_client, staff, adult_form, answers, teacher, head
):
    response = verified_client(staff).post(
        adult_form.url, about_staff(answers, teacher)
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    adult = concern.about_adult
    assert concern.route == Concern.Route.HEAD
    assert (adult.person, adult.name) == (teacher, "Terry Teacher")
    assert adult.kind == AdultConcernKind.ALLEGATION
    assert adult.reporter_relationship == "Colleague in Year 4"
    # Its process started in the same transaction: the head's task is waiting.
    assert CaseTask.objects.filter(concern=concern, team="head").exists()


def test_a_visitor_is_typed_in(verified_client, staff, adult_form, answers):
    verified_client(staff).post(
        adult_form.url,
        {
            **answers,
            "adult_kind": AdultConcernKind.LOW_LEVEL,
            "adult_role": AdultRole.CONTRACTOR,
            "adult_name": "Pat Plumber",
            "adult_job_title": "Plumbing contractor",
            "adult_relationship": "Saw them at the gate",
        },
    )
    adult = ConcernAboutAdult.objects.get()
    assert (adult.person, adult.name, adult.role) == (
        None,
        "Pat Plumber",
        AdultRole.CONTRACTOR,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"adult_person": ""}, "Choose the member of staff from the list"),
        ({"adult_relationship": ""}, "This field is required"),
        ({"adult_kind": ""}, "This field is required"),
        (
            {"adult_role": AdultRole.VISITOR, "adult_person": ""},
            "Give the adult&#x27;s name",
        ),
        ({"adult_person": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_answers_about_the_adult_keep_what_was_typed_and_save_nothing(
    verified_client, staff, adult_form, answers, teacher, change, message
):
    response = verified_client(staff).post(
        adult_form.url, about_staff(answers, teacher, **change)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "nothing has been sent yet" in page
    assert "By the climbing frame" in page
    if change.get("adult_relationship") is None:
        assert "Colleague in Year 4" in page
    assert not Concern.objects.exists()
    assert not ConcernAboutAdult.objects.exists()


def test_someone_from_another_school_cannot_be_named(
    verified_client, staff, adult_form, answers, other_school
):
    stranger = member(other_school, Role.STAFF)
    response = verified_client(staff).post(
        adult_form.url, about_staff(answers, stranger)
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Concern.objects.exists()


def test_double_submit_makes_one_record_and_one_adult(
    verified_client, staff, adult_form, answers, teacher
):
    client = verified_client(staff)
    for _ in range(2):
        client.post(adult_form.url, about_staff(answers, teacher))
    assert Concern.objects.count() == ConcernAboutAdult.objects.count() == 1
