"""Pupils: one record per child per school, and only the school's DSLs see them."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from records.models import Pupil
from records.selectors import pupils_visible_to
from records.services import pupil_upsert

from ..factories import PupilFactory

FIELDS = {
    "first_name": "Testchild",
    "last_name": "Example",
    "date_of_birth": "2016-03-04",
    "year_group": "4",
}


def test_upsert_updates_the_pupil_with_the_same_upn(school):
    pupil, created = pupil_upsert(school=school, upn="A123456789012", **FIELDS)
    again, created_again = pupil_upsert(
        school=school, upn="A123456789012", **{**FIELDS, "year_group": "5"}
    )
    assert created and not created_again
    assert again.pk == pupil.pk
    assert Pupil.objects.get().year_group == "5"


@pytest.mark.parametrize("upn", ["", "123", "a123456789012", "A12345678901<"])
def test_malformed_upn_is_refused_with_a_message_and_nothing_saved(school, upn):
    with pytest.raises(ValidationError) as error:
        pupil_upsert(school=school, upn=upn, **FIELDS)
    assert "upn" in error.value.message_dict
    assert not Pupil.objects.exists()


def test_pupils_visible_only_to_case_roles_of_their_school(
    make_member, school, other_school
):
    mine = PupilFactory(school=school)
    PupilFactory(school=other_school)
    for role in (Role.DSL, Role.DEPUTY_DSL):
        assert list(pupils_visible_to(make_member(role))) == [mine]
    for role in (Role.STAFF, Role.HEAD, Role.CONFIGURATOR):
        assert not pupils_visible_to(make_member(role)).exists()
    assert not pupils_visible_to(make_member(Role.DSL, at=other_school)).filter(
        pk=mine.pk
    )
