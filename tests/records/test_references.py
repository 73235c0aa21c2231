"""Concern references per school (OAK-000123): each school numbers its own concerns
from 1, so a reference says nothing about another school's volume; concerns from
before keep their old C000123; two reports saved at once never share a number."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, School
from records.models import Concern, ReferenceCounter
from records.restrictions import break_glass_target
from records.selectors import concerns_with_reference

from ..builders import concern, member, pupil, school

pytestmark = pytest.mark.django_db


def test_each_school_numbers_its_own_concerns_from_one():
    oak, elm = school(reference_code="OAK"), school(reference_code="ELM")
    dsl = member(oak, Role.DSL, others=[(elm, Role.DSL)])
    for _ in range(3):
        concern(by=dsl, children=[pupil(oak)])
    first_elm = concern(by=dsl, children=[pupil(elm)])
    fourth_oak = concern(by=dsl, children=[pupil(oak)])

    assert first_elm.reference == "ELM-000001"
    assert fourth_oak.reference == "OAK-000004"
    assert str(fourth_oak) == "OAK-000004"
    assert ReferenceCounter.objects.get(school=oak).last == 4


def test_a_school_without_a_code_uses_its_urn():
    here = school(urn="123456")
    dsl = member(here, Role.DSL)
    assert concern(by=dsl, children=[pupil(here)]).reference == "123456-000001"


def test_a_concern_from_before_keeps_its_old_reference():
    here = school(reference_code="OAK")
    old = concern(by=member(here, Role.DSL), children=[pupil(here)])
    # As the migration leaves the concerns recorded before references per school.
    Concern.objects.filter(pk=old.pk).update(school_reference="", school_sequence=None)
    old.refresh_from_db()

    assert old.reference == f"C{old.pk:06d}"
    found = concerns_with_reference(Concern.objects.all(), f"c{old.pk:06d}")
    assert list(found) == [old]


def test_a_typed_reference_finds_that_concern_in_any_case_and_no_other():
    oak = school(reference_code="OAK")
    dsl = member(oak, Role.DSL)
    first = concern(by=dsl, children=[pupil(oak)])
    concern(by=dsl, children=[pupil(oak)])
    everything = Concern.objects.all()

    assert list(concerns_with_reference(everything, " oak-000001 ")) == [first]
    # The old form of its number does not reach a concern that has a school's own.
    assert not concerns_with_reference(everything, f"C{first.pk}").exists()
    assert not concerns_with_reference(everything, "").exists()


def test_break_glass_finds_a_concern_by_its_school_reference():
    oak = school(reference_code="OAK")
    found = concern(by=member(oak, Role.DSL), children=[pupil(oak)])
    deputy = member(oak, Role.DEPUTY_DSL)

    assert break_glass_target(user=deputy, school=oak, reference="oak-000001") == found
    with pytest.raises(ValidationError):
        break_glass_target(user=deputy, school=oak, reference="ELM-000001")


def test_reference_codes_are_checked_and_unique():
    school(reference_code="OAK")
    with pytest.raises(ValidationError) as refused:
        School(name="Copy", urn="555555", reference_code="OAK").full_clean()
    assert "Another school uses this reference code." in str(refused.value)
    with pytest.raises(ValidationError):
        School(name="Bad", urn="555556", reference_code="oak-1").full_clean()


def test_the_admin_command_sets_the_code(capsys):
    here = school(urn="654321")
    call_command("school_set", "654321", "--reference-code", "ash")
    here.refresh_from_db()
    assert here.reference_code == "ASH"
    assert "ASH-000001" in capsys.readouterr().out


def test_concerns_saved_one_after_another_take_the_next_numbers():
    oak = school(reference_code="OAK")
    dsl = member(oak, Role.DSL)
    for _ in range(7):
        concern(by=dsl, children=[pupil(oak)])
    numbers = Concern.objects.filter(school=oak).values_list("school_sequence")
    assert sorted(n for (n,) in numbers) == list(range(1, 8))


def test_the_counter_row_is_locked_while_a_concern_takes_its_number():
    """Two reports saved at once queue on the school's counter row (SELECT … FOR
    UPDATE, held until the concern commits), so they can't read the same last
    number. PostgreSQL is where it matters: SQLite writes one transaction at a
    time and Django leaves the clause out there. (Two real threads can't be run
    here: a transactional test's flush is refused by the audit table.)"""
    oak = school(reference_code="OAK")
    dsl = member(oak, Role.DSL)
    child = pupil(oak)
    with CaptureQueriesContext(connection) as queries:
        concern(by=dsl, children=[child])
    counter_reads = [
        q["sql"]
        for q in queries.captured_queries
        if "records_referencecounter" in q["sql"] and q["sql"].startswith("SELECT")
    ]
    assert counter_reads
    if connection.vendor == "postgresql":
        assert all(sql.endswith("FOR UPDATE") for sql in counter_reads)
