"""The body map: marks on a front and back outline, stored as data with the
concern or file note, shown on the concern, the child's file and its PDF, to the
people who may read them and no one else."""

import io

import pypdf
import pytest
from auditlog import get_logentry_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role
from records.body_map import validate_body_map
from records.body_map.validation import marks_from_rows
from records.models import Concern, FileNote, InvolvementRole

from ..builders import file_note, pupil
from ..pdfs import assert_tagged

FOREARM = {
    "view": "front",
    "region": "left_forearm",
    "x": None,
    "y": None,
    "description": "Four oval bruises in a row, like fingertips",
    "size": "each about 1 cm",
    "colour": "blue-purple",
}
BACK = {
    "view": "back",
    "region": "trunk_lower",
    "x": 52.5,
    "y": 40.0,
    "description": "Red linear mark across the lower back",
    "size": "8 cm long",
    "colour": "red",
}


def url(child, rest=""):
    return f"/admin/files/{child.pk}/{rest}"


# -- what a mark is --------------------------------------------------------------------


def test_a_well_formed_body_map_passes():
    validate_body_map([FOREARM, BACK])
    validate_body_map([])


@pytest.mark.parametrize(
    ("mark", "message"),
    [
        ({**FOREARM, "view": "side"}, "choose the part of the body"),
        ({**FOREARM, "region": "tail"}, "choose the part of the body"),
        ({**FOREARM, "description": "  "}, "describe what you saw"),
        ({**FOREARM, "description": "x" * 501}, "at most 500 characters"),
        ({**FOREARM, "colour": "y" * 101}, "colour can be at most 100"),
        ({**FOREARM, "x": 120.0, "y": 5.0}, "both numbers from 0 to 100"),
        ({**FOREARM, "x": 20.0}, "both numbers from 0 to 100"),
        ({**FOREARM, "size": 3}, "must be text"),
        ({**FOREARM, "extra": "?"}, "must have exactly"),
        ("left arm", "must have exactly"),
    ],
)
def test_a_malformed_mark_is_refused_saying_which_and_why(mark, message):
    with pytest.raises(ValidationError) as refused:
        validate_body_map([FOREARM, mark])
    assert any(
        text.startswith("Mark 2") and message in text for text in refused.value.messages
    ), refused.value.messages


def test_at_most_forty_marks():
    with pytest.raises(ValidationError, match="at most 40 marks"):
        validate_body_map([FOREARM] * 41)


def test_rows_as_typed_become_marks_named_for_people():
    marks = marks_from_rows(
        [
            {"region": "front.left_forearm", "description": " Bruise ", "x": "oops"},
            {"region": "back.trunk_lower", "description": "Mark", "x": "10", "y": "20"},
        ]
    )
    assert marks[0] == {
        **FOREARM,
        "description": "Bruise",
        "size": "",
        "colour": "",
    }
    assert (marks[1]["x"], marks[1]["y"]) == (10.0, 20.0)
    with pytest.raises(ValidationError) as refused:
        marks_from_rows([{"region": "back.left_hand", "description": ""}])
    assert refused.value.messages == [
        "Mark 1 (left hand (back), back): describe what you saw."
    ]


# -- stored with the record ------------------------------------------------------------


def test_a_concern_keeps_its_marks_on_the_child_it_is_about(submit, school):
    hurt, other = pupil(school), pupil(school)
    concern = submit(
        children=[(hurt, InvolvementRole.SUBJECT), (other, InvolvementRole.WITNESS)],
        body_map=[FOREARM, BACK],
    )
    concern.refresh_from_db()
    assert concern.body_map == [FOREARM, BACK]
    assert concern.body_map_pupil == hurt
    created = get_logentry_model().objects.get_for_object(concern).get(action=0)
    assert "Four oval bruises" in str(created.changes_dict["body_map"])


def test_marks_on_a_concern_about_two_children_are_refused(submit, school):
    with pytest.raises(ValidationError, match="A body map is for one child"):
        submit(
            children=[pupil(school), pupil(school)],  # both "the child it is about"
            body_map=[FOREARM],
        )
    assert not Concern.objects.exists()


def test_a_bad_mark_saves_nothing(submit):
    with pytest.raises(ValidationError):
        submit(body_map=[{**FOREARM, "region": "wing"}])
    assert not Concern.objects.exists()


# -- shown where the record is read ----------------------------------------------------


@pytest.fixture
def marked(submit, school):
    hurt, other = pupil(school), pupil(school)
    concern = submit(
        children=[
            (hurt, InvolvementRole.SUBJECT),
            (other, InvolvementRole.ALLEGED_PERPETRATOR),
        ],
        body_map=[FOREARM, BACK],
    )
    return concern, hurt, other


def test_the_concern_page_shows_the_outline_and_the_table(marked, dsl, verified_client):
    concern, hurt, _other = marked
    page = verified_client(dsl).get(f"/admin/casework/concerns/{concern.pk}/")
    html = page.content.decode()
    assert f"Marks seen on {hurt.display_name}" in html
    assert "left forearm, front" in html and "lower back, back" in html
    assert "Four oval bruises in a row" in html and "blue-purple" in html
    assert 'aria-labelledby="body-map-concern-' in html  # the pictures are named
    assert "Body outline, front, with marks 1: left forearm, front" in html


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEAD, Role.CONFIGURATOR])
def test_people_outside_the_dsl_team_never_see_the_marks(
    marked, make_member, verified_client, role
):
    concern, hurt, _other = marked
    client = verified_client(make_member(role))
    for path in (f"/admin/casework/concerns/{concern.pk}/", url(hurt)):
        response = client.get(path)
        assert response.status_code in (302, 403, 404), (role, path)
        assert "Four oval bruises" not in response.content.decode()


def test_a_dsl_of_another_school_never_sees_the_marks(
    marked, make_member, other_school, verified_client
):
    concern, hurt, _other = marked
    client = verified_client(make_member(Role.DSL, at=other_school))
    for path in (f"/admin/casework/concerns/{concern.pk}/", url(hurt)):
        assert "Four oval bruises" not in client.get(path).content.decode()


def test_the_marks_are_on_the_hurt_childs_file_and_not_the_others(
    marked, dsl, verified_client
):
    _concern, hurt, other = marked
    client = verified_client(dsl)
    assert "Four oval bruises" in client.get(url(hurt)).content.decode()
    assert "Four oval bruises" not in client.get(url(other)).content.decode()


def test_the_pdf_holds_the_marks_as_a_table_and_stays_tagged(
    marked, dsl, verified_client
):
    _concern, hurt, _other = marked
    file_note(hurt, dsl, title="Seen by the school nurse", body_map=[BACK])
    response = verified_client(dsl).post(
        url(hurt, "export/"), {"reason": "Strategy meeting"}
    )
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(
        page.extract_text()
        for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )
    for words in ("left forearm, front", "Four oval bruises", "lower back, back"):
        assert words in text
    assert text.count("Red linear mark across the lower back") == 2  # concern, note
    assert_tagged(
        response.content,
        title="child protection file",
        tags={"H1", "H2", "Table", "TH", "TD", "Caption", "Figure"},
    )
    # Each outline is a figure whose text alternative names the marks on it.
    assert "Body outline, front, with marks 1: left forearm, front" in figure_alts(
        response.content
    )


def figure_alts(content):
    root = pypdf.PdfReader(io.BytesIO(content)).trailer["/Root"]
    alts, stack = [], [root["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        if isinstance(node, pypdf.generic.ArrayObject):
            stack.extend(item.get_object() for item in node)
        elif isinstance(node, pypdf.generic.DictionaryObject):
            if node.get("/S") == "/Figure":
                alts.append(str(node.get("/Alt", "")))
            if "/K" in node:
                stack.append(node["/K"].get_object())
    return alts


# -- file notes ------------------------------------------------------------------------


def note_post(**changes):
    return {
        "kind": "discussion",
        "title": "Noticed at PE",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "body": "Bruising seen while changing for PE.",
        "body_map_region": ["front.left_forearm", "back.trunk_lower", ""],
        "body_map_x": ["", "52.5", ""],
        "body_map_y": ["", "40", ""],
        "body_map_description": [FOREARM["description"], BACK["description"], ""],
        "body_map_size": [FOREARM["size"], BACK["size"], ""],
        "body_map_colour": [FOREARM["colour"], BACK["colour"], ""],
        **changes,
    }


def test_a_file_note_records_marks_from_the_table(pupil, dsl, verified_client):
    client = verified_client(dsl)
    form = client.get(url(pupil, "add/")).content.decode()
    assert '<option value="front.left_forearm">left forearm, front</option>' in form
    assert "Add a mark" in form
    response = client.post(url(pupil, "add/"), note_post())
    assert response.status_code == 302
    note = FileNote.objects.get(pupil=pupil)
    assert note.body_map == [FOREARM, BACK]
    page = client.get(url(pupil)).content.decode()
    assert "Four oval bruises" in page and "lower back, back" in page


def test_a_bad_mark_keeps_everything_typed_and_saves_nothing(
    pupil, dsl, verified_client
):
    response = verified_client(dsl).post(
        url(pupil, "add/"),
        note_post(body_map_description=["", BACK["description"], ""]),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mark 1 (left forearm, front): describe what you saw." in html
    assert '<option value="front.left_forearm" selected>' in html
    assert 'value="each about 1 cm"' in html and "blue-purple" in html
    assert "Red linear mark across the lower back" in html
    assert "Bruising seen while changing for PE." in html
    assert not FileNote.objects.exists()


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEAD, Role.CONFIGURATOR])
def test_only_the_dsl_team_adds_notes_with_marks(
    pupil, make_member, verified_client, role
):
    response = verified_client(make_member(role)).post(url(pupil, "add/"), note_post())
    assert response.status_code in (302, 403, 404)
    assert not FileNote.objects.exists()
