"""Body map marks sent through the API: the same record as the web form, and a
malformed mark refused field by field with nothing stored."""

import pytest

from records.models import Concern

from .conftest import payload

MARK = {
    "view": "front",
    "region": "left_forearm",
    "x": 71.2,
    "y": 45.0,
    "description": "Bruise",
    "size": "2 cm",
    "colour": "purple",
}


def submit_url(page):
    return f"/forms/{page.pk}/concerns"


def test_the_form_definition_lists_the_parts_of_the_body(as_user, staff, form_page):
    form = as_user(staff).get(f"/forms/{form_page.pk}").json()
    assert {
        "view": "back",
        "region": "left_lower_leg",
        "label": "left calf, back",
    } in form["body_regions"]
    assert "body_map" in [field["name"] for field in form["fields"]]


def test_marks_are_saved_as_sent(as_user, staff, form_page, answers):
    back = {**MARK, "view": "back", "region": "pelvis", "x": None, "y": None}
    response = as_user(staff).post(
        submit_url(form_page), payload(answers, body_map=[MARK, back])
    )
    assert response.status_code == 201, response.json()
    concern = Concern.objects.get()
    assert concern.body_map == [MARK, back]
    assert concern.body_map_pupil_id == answers["pupil"][0]


@pytest.mark.parametrize(
    ("mark", "field", "words"),
    [
        ({**MARK, "region": "tail"}, "body_map.0.region", "Input should be"),
        ({**MARK, "view": "side"}, "body_map.0.view", "Input should be"),
        ({**MARK, "x": 101}, "body_map.0.x", "less than or equal to 100"),
        ({**MARK, "y": None}, "body_map.0", "Give both x and y, or neither"),
        ({**MARK, "description": ""}, "body_map.0.description", "at least 1"),
        ({**MARK, "colour": "c" * 101}, "body_map.0.colour", "at most 100"),
        ({**MARK, "colur": "red"}, "body_map.0.colur", "did you mean “colour”"),
        ({**MARK, "description": "a\x00b"}, "body_map.0.description", "control"),
    ],
)
def test_a_malformed_mark_is_refused_naming_it(
    as_user, staff, form_page, answers, mark, field, words
):
    response = as_user(staff).post(
        submit_url(form_page), payload(answers, body_map=[mark])
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(words in message for message in errors[field]), errors
    assert not Concern.objects.exists()


def test_marks_on_a_concern_about_two_children_are_refused(
    as_user, staff, form_page, answers
):
    body = payload(answers, body_map=[MARK])
    for row in body["pupils"]:
        row["role"] = "subject"
    response = as_user(staff).post(submit_url(form_page), body)
    assert response.status_code == 422
    assert "A body map is for one child" in response.json()["errors"]["body_map"][0]
    assert not Concern.objects.exists()


def test_a_retry_without_marks_matches_as_before(as_user, staff, form_page, answers):
    client = as_user(staff)
    first = client.post(submit_url(form_page), payload(answers))
    again = client.post(submit_url(form_page), payload(answers, body_map=[]))
    assert (first.status_code, again.status_code) == (201, 200)
    assert Concern.objects.count() == 1
