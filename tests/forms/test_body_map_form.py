"""The concern form's body map: marks from the table (and so from the keyboard,
the outline or a page without script), kept when anything is wrong, and saved
with the concern on the child it is about."""

import pytest
from django.urls import reverse

from records.models import Concern, InvolvementRole

MARKS = {
    "body_map_region": ["front.left_forearm", "back.trunk_upper", "", ""],
    "body_map_x": ["", "47.5", "", ""],
    "body_map_y": ["", "30", "", ""],
    "body_map_description": ["Bruise shaped like a hand", "Two scratches", "", ""],
    "body_map_size": ["about 6 cm across", "3 cm each", "", ""],
    "body_map_colour": ["purple, yellow edges", "red", "", ""],
}


def test_the_form_offers_the_outline_and_a_labelled_list_of_parts(
    verified_client, staff, form_page
):
    page = verified_client(staff).get(form_page.url).content.decode()
    assert "Body map: where you saw an injury (optional)" in page
    assert '<option value="front.left_forearm">left forearm, front</option>' in page
    assert '<option value="back.right_lower_leg">right calf, back</option>' in page
    assert 'aria-labelledby="id_body_map-front-title"' in page
    assert "Left and right are the child's own" in page
    # Without the script: empty rows to fill in, each control labelled.
    assert '<label class="body-map__cell-label" for="id_body_map_region_1"' in page
    assert page.count('name="body_map_description"') == 4  # 3 rows + the template


def test_marks_are_saved_with_the_concern_on_the_child_it_is_about(
    verified_client, staff, form_page, answers
):
    response = verified_client(staff).post(form_page.url, {**answers, **MARKS})
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.body_map == [
        {
            "view": "front",
            "region": "left_forearm",
            "x": None,
            "y": None,
            "description": "Bruise shaped like a hand",
            "size": "about 6 cm across",
            "colour": "purple, yellow edges",
        },
        {
            "view": "back",
            "region": "trunk_upper",
            "x": 47.5,
            "y": 30.0,
            "description": "Two scratches",
            "size": "3 cm each",
            "colour": "red",
        },
    ]
    assert concern.body_map_pupil_id == answers["pupil"][0]  # the subject


def test_no_marks_is_fine(verified_client, staff, form_page, answers):
    verified_client(staff).post(form_page.url, answers)
    assert Concern.objects.get().body_map == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"body_map_description": ["", "Two scratches", "", ""]},
            "Mark 1 (left forearm, front): describe what you saw.",
        ),
        (
            {"body_map_region": ["front.elbow", "back.trunk_upper", "", ""]},
            "Mark 1: choose the part of the body.",
        ),
        (
            {"body_map_colour": ["x" * 101, "red", "", ""]},
            "the colour can be at most 100 characters",
        ),
    ],
)
def test_a_bad_mark_is_explained_and_everything_typed_is_kept(
    verified_client, staff, form_page, answers, change, message
):
    response = verified_client(staff).post(
        form_page.url, {**answers, **MARKS, **change}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "nothing has been sent yet" in page
    assert 'href="#id_body_map"' in page  # the summary leads to the body map
    assert "Two scratches" in page and 'value="3 cm each"' in page
    assert '<option value="back.trunk_upper" selected>' in page
    assert 'name="body_map_x" value="47.5"' in page  # where it was placed, too
    assert "By the climbing frame" in page
    assert not Concern.objects.exists()


def test_marks_need_one_child_to_be_on(verified_client, staff, form_page, answers):
    answers["pupil_role"] = [InvolvementRole.SUBJECT, InvolvementRole.SUBJECT]
    response = verified_client(staff).post(form_page.url, {**answers, **MARKS})
    page = response.content.decode()
    assert "A body map is for one child" in page
    assert "Bruise shaped like a hand" in page
    assert not Concern.objects.exists()


def test_a_draft_brings_the_marks_back(verified_client, staff, form_page, answers):
    client = verified_client(staff)
    draft = reverse("concern_forms:draft", args=[form_page.pk])
    assert client.post(draft, {**answers, **MARKS}).status_code == 200
    page = client.get(form_page.url).content.decode()
    assert "We restored what you typed" in page
    assert '<option value="front.left_forearm" selected>' in page
    assert "Bruise shaped like a hand" in page and 'value="47.5"' in page
