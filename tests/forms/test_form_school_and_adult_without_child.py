"""A school's own form takes that school's pupils only (a colleague working at two
schools is told to use the other school's form; nothing is stored), in the web form,
the pupil search and the API. And a concern about an adult need not involve a child
(KCSIE Part 4): it goes to the same case manager, and only they see it."""

import pytest
from django.urls import reverse

from accounts.models import Role
from forms.models import ConcernFormPage
from forms.sections.services import form_section_for_school
from records.models import (
    AdultConcernKind,
    AdultRole,
    Concern,
    InvolvementRole,
)
from records.selectors import concerns_visible_to
from workflows.models import CaseTask

from ..builders import member
from ..factories import PupilFactory

pytestmark = pytest.mark.django_db

ELSEWHERE = "is not a pupil of"


@pytest.fixture
def own_form(school):
    """Brook Lane's own form (its section), not the trust's shared one."""
    page = ConcernFormPage(title="Brook Lane concern", slug="brook-lane-concern")
    form_section_for_school(school=school).add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def both_schools(school, other_school):
    """A teaching assistant who works at both schools."""
    return member(
        school, Role.STAFF, others=[(other_school, Role.STAFF)], first_name="Bo"
    )


@pytest.fixture
def their_pupil(other_school):
    return PupilFactory(school=other_school, first_name="Farah", last_name="Farhill")


def test_a_schools_form_refuses_a_pupil_of_another_school(
    verified_client, both_schools, own_form, answers, their_pupil
):
    data = {**answers, "pupil": [their_pupil.pk], "pupil_role": ["subject"]}
    response = verified_client(both_schools).post(own_form.url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert ELSEWHERE in page and "Brook Lane Primary (test)" in page
    assert "By the climbing frame" in page  # what was typed is kept
    assert not Concern.objects.exists()


def test_the_shared_form_takes_a_pupil_of_either_of_their_schools(
    verified_client, both_schools, form_page, answers, their_pupil, other_school
):
    data = {**answers, "pupil": [their_pupil.pk], "pupil_role": ["subject"]}
    data["location"] = answers["location"]
    response = verified_client(both_schools).post(form_page.url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Concern.objects.get().school == other_school


def test_the_pupil_search_of_a_schools_form_offers_its_own_pupils_only(
    verified_client, both_schools, own_form, form_page, their_pupil
):
    client = verified_client(both_schools)
    url = reverse("concern_forms:pupil_search")
    own = client.get(url, {"q": "Farhill", "form": own_form.pk}).json()
    shared = client.get(url, {"q": "Farhill", "form": form_page.pk}).json()
    assert own["results"] == []
    assert [row["id"] for row in shared["results"]] == [their_pupil.pk]


# A concern about an adult with no child -----------------------------------------------


@pytest.fixture
def adult_form(own_form):
    own_form.send_to = Concern.Route.HEAD
    own_form.save_revision().publish()
    return own_form


def no_child(answers, **adult):
    data = {
        **answers,
        "pupil": [],
        "pupil_role": [],
        "child_voice": "",
        "what_happened": "Mr Example shouted at a parent at the gate and swore.",
        "adult_kind": AdultConcernKind.LOW_LEVEL,
        "adult_role": AdultRole.VISITOR,
        "adult_name": "Val Visitor",
        "adult_relationship": "Receptionist",
        **adult,
    }
    return data


def test_a_concern_about_an_adult_need_not_name_a_child(
    verified_client, staff, head, dsl, adult_form, answers, school
):
    response = verified_client(staff).post(adult_form.url, no_child(answers))
    assert response.status_code == 302, response.content.decode()[:2000]
    concern = Concern.objects.get()
    assert concern.school == school and not concern.involvements.exists()
    assert concern.route == Concern.Route.HEAD
    assert CaseTask.objects.filter(concern=concern, team="head").exists()
    # routing and visibility as any concern about an adult: the head, not the DSL
    assert concerns_visible_to(head).filter(pk=concern.pk).exists()
    assert not concerns_visible_to(dsl).filter(pk=concern.pk).exists()
    assert not concerns_visible_to(staff).filter(pk=concern.pk).exists()
    for url in (
        reverse("workflows:casework_concern", args=[concern.pk]),
        reverse("workflows:adult_cases"),
    ):
        assert verified_client(head).get(url).status_code == 200


def test_a_concern_about_a_child_still_needs_a_child(
    verified_client, staff, own_form, answers
):
    data = {**answers, "pupil": [], "pupil_role": []}
    response = verified_client(staff).post(own_form.url, data)
    assert "Name at least one child" in response.content.decode()
    assert not Concern.objects.exists()


def test_a_shared_form_asks_which_school_when_no_child_is_named(
    verified_client, both_schools, form_page, answers, other_school
):
    form_page.send_to = Concern.Route.HEAD
    form_page.save_revision().publish()
    client = verified_client(both_schools)
    refused = client.post(form_page.url, no_child(answers))
    assert "choose the school this is about" in refused.content.decode()
    assert not Concern.objects.exists()
    client.post(form_page.url, no_child(answers, adult_school=other_school.pk))
    assert Concern.objects.get().school == other_school


def test_the_childs_involvement_role_is_unchanged_when_one_is_named(
    verified_client, staff, adult_form, answers
):
    data = no_child(answers, pupil=answers["pupil"][:1])
    data["pupil_role"] = [InvolvementRole.SUBJECT]
    data["child_voice"] = "'He shouted at me.'"
    verified_client(staff).post(adult_form.url, data)
    assert Concern.objects.get().involvements.count() == 1


def test_with_no_child_the_adult_named_still_never_sees_it(
    verified_client, staff, head, make_member, adult_form, answers
):
    named = make_member(Role.DSL, first_name="Dana", last_name="Named")
    data = no_child(
        answers,
        adult_kind=AdultConcernKind.ALLEGATION,
        adult_role=AdultRole.STAFF,
        adult_person=named.pk,
        adult_name="",
    )
    verified_client(staff).post(adult_form.url, data)
    concern = Concern.objects.get()
    assert not concerns_visible_to(named).filter(pk=concern.pk).exists()
    assert concerns_visible_to(head).filter(pk=concern.pk).exists()
    response = verified_client(named).get(
        reverse("workflows:casework_concern", args=[concern.pk])
    )
    assert response.status_code == 404
