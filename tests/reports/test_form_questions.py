"""The "Form questions" report: the DSLs of a form's school count the answers to
its own choice questions ("Which playground area?") over the concerns they work,
small numbers suppressed; nobody else sees it, and a concern they may not see
(restricted to others, naming them, about an adult) is not counted."""

import pytest
from django.urls import reverse

from accounts.models import Role
from forms.models import ConcernFormField, ConcernFormPage
from forms.sections.services import form_section_for_school
from records import restrictions
from records.models import Concern

from .. import builders

pytestmark = pytest.mark.django_db

URL = reverse("reports_questions")
AREA = "Which playground area?"


@pytest.fixture
def area_form(school):
    page = ConcernFormPage(
        title="Playground concern",
        slug="playground-concern",
        form_fields=[
            ConcernFormField(
                label=AREA, field_type="radio", choices="Top yard\nField\nGarden"
            ),
            ConcernFormField(label="Anything else?", field_type="multiline"),
        ],
    )
    form_section_for_school(school=school).add_child(instance=page)
    page.save_revision().publish()
    return page


def answered(page, by, area, **fields):
    return builders.concern(
        by=by,
        school=by.memberships.first().school,
        form_page_id=page.pk,
        answers=[
            {
                "question": AREA,
                "type": "radio",
                "choices": "Top yard\nField\nGarden",
                "answer": area,
            },
            {"question": "Anything else?", "type": "multiline", "answer": "Ava K."},
        ],
        **fields,
    )


@pytest.fixture
def reports(area_form, staff, school):
    for _n in range(6):
        answered(area_form, staff, "Top yard")
    for _n in range(2):
        answered(area_form, staff, "Field")
    return area_form


def rows(page):
    body = page.split("data-question-counts")[1].split("</table>")[0]
    return body


def test_a_dsl_counts_the_answers_with_small_numbers_suppressed(
    verified_client, dsl, reports
):
    page = verified_client(dsl).get(URL, {"form": reports.pk}).content.decode()
    table = rows(page)
    assert AREA in table
    assert "answered in 8 concerns" in table
    assert "<td>Field</td><td>fewer than 5</td>" in table
    # 8 answered, so 6 would give the 2 away: hidden too, as in governors' reports
    assert "<td>Top yard</td><td>not shown</td>" in table
    assert "<td>Garden</td><td>0</td>" in table
    assert "Anything else?" not in page and "Ava K." not in page  # free text never


@pytest.mark.parametrize("role", [Role.STAFF, Role.CONFIGURATOR, Role.HEAD])
def test_anyone_but_the_schools_dsls_gets_a_404(
    verified_client, make_member, reports, role
):
    response = verified_client(make_member(role)).get(URL, {"form": reports.pk})
    assert response.status_code == 404


def test_another_schools_dsl_cannot_report_on_the_form(
    verified_client, make_member, other_school, reports
):
    theirs = make_member(Role.DSL, at=other_school)
    page = verified_client(theirs).get(URL, {"form": reports.pk}).content.decode()
    assert "Select a valid choice" in page
    assert "data-question-counts" not in page


def test_a_deputy_does_not_count_a_concern_restricted_to_others(
    verified_client, dsl, make_member, reports, staff
):
    deputy = make_member(Role.DEPUTY_DSL)
    hidden = answered(reports, staff, "Garden")
    restrictions.restriction_set(
        obj=hidden, people=[dsl], reason="Kept to the DSL: family link.", user=dsl
    )
    seen = verified_client(deputy).get(URL, {"form": reports.pk}).content.decode()
    assert "<td>Garden</td><td>0</td>" in rows(seen)
    by_dsl = verified_client(dsl).get(URL, {"form": reports.pk}).content.decode()
    assert "<td>Garden</td><td>fewer than 5</td>" in rows(by_dsl)


def test_a_concern_about_an_adult_is_not_counted_for_the_dsl(
    verified_client, dsl, reports, staff
):
    for _n in range(5):
        answered(reports, staff, "Garden", route=Concern.Route.HEAD)
    page = verified_client(dsl).get(URL, {"form": reports.pk}).content.decode()
    assert "<td>Garden</td><td>0</td>" in rows(page)
