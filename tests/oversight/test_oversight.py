"""Independent oversight: a school's heads see its audit log and break-glass
register, and the trust's leads see those of every school of the trust; refused
requests show there too. A head sees what was done and which fields changed, not
the values (case content stays with the DSLs), and a restriction does not hide
from them what was done with a restricted record."""

import csv
import io

import pytest
from auditlog.context import set_actor
from django.urls import reverse

from accounts.models import Role
from audit.services import record_access
from records.restrictions import break_glass_open, restriction_set
from workflows.models import Notification

from ..factories import PupilFactory, SchoolFactory, UserFactory

LOG = reverse("oversight:audit_log")
EXPORT = reverse("oversight:audit_log_export")
REGISTER = reverse("oversight:break_glass_register")


def page_of(client, url, **query):
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def trust_lead(school, other_school, make_member):
    lead = make_member(Role.HEAD, first_name="Jamie", last_name="Lowe")
    lead.memberships.create(school=other_school, role=Role.HEAD)
    return lead


@pytest.fixture
def pupils(school, other_school):
    return {
        "ours": PupilFactory(school=school, first_name="Ourpupil", upn="A123456789012"),
        "theirs": PupilFactory(school=other_school, first_name="Theirpupil"),
    }


def test_a_head_sees_their_schools_log_and_not_another_schools(
    verified_client, head, pupils
):
    page = page_of(verified_client(head), LOG)
    assert str(pupils["ours"]) in page
    assert str(pupils["theirs"]) not in page


def test_a_trust_lead_sees_every_school_of_the_trust(
    verified_client, trust_lead, pupils
):
    third = SchoolFactory(name="Third Acre School (test)")  # same trust, no head
    unled = PupilFactory(school=third, first_name="Thirdpupil")
    elsewhere = SchoolFactory(
        name="Other Trust School", trust__name="Another Learning Trust"
    )
    outside = PupilFactory(school=elsewhere, first_name="Outsidepupil")
    page = page_of(verified_client(trust_lead), LOG)
    assert str(pupils["ours"]) in page and str(pupils["theirs"]) in page
    assert str(unled) in page
    assert str(outside) not in page


def test_a_head_sees_which_fields_changed_but_not_their_values(
    verified_client, head, dsl, pupils
):
    pupil = pupils["ours"]
    with set_actor(dsl):
        pupil.first_name = "Renamedpupil"
        pupil.save()
    client = verified_client(head)
    page = page_of(client, LOG, model="records.pupil")
    assert "Changed:" in page and "first_name" in page
    assert "Ourpupil →" not in page
    export = b"".join(client.get(EXPORT).streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(export)))
    changed = [row for row in rows if row["action"] == "update"]
    assert changed and changed[0]["changes"] == "first_name"
    # The DSL reads the values.
    assert "Ourpupil" in page_of(verified_client(dsl), LOG, model="records.pupil")


def test_a_restriction_does_not_hide_from_the_head_what_was_done(
    verified_client, head, dsl, make_member, pupils
):
    other_dsl = make_member(Role.DSL, first_name="Sam", last_name="Second")
    pupil = pupils["ours"]
    restriction_set(obj=pupil, people=[dsl], reason="Sibling works here.", user=dsl)
    with set_actor(dsl):
        record_access(obj=pupil, event="file viewed")
    # The other DSL, not named, does not see it; the head sees that it happened,
    # not which child it was about.
    assert "file viewed" not in page_of(verified_client(other_dsl), LOG)
    page = page_of(verified_client(head), LOG)
    assert "file viewed" in page
    assert "Pupil: a restricted record" in page
    assert "Ourpupil" not in page


def test_refused_requests_show_in_the_heads_log(verified_client, head, staff, pupils):
    refused = verified_client(staff).get(
        reverse("records_admin:file_detail", args=[pupils["ours"].pk])
    )
    assert refused.status_code == 404
    page = page_of(verified_client(head), LOG, action="4")
    assert "file_detail" in page
    assert str(staff) in page


@pytest.mark.parametrize("role", [Role.STAFF, Role.DEPUTY_DSL, Role.CONFIGURATOR])
def test_other_roles_find_neither_page(verified_client, make_member, role):
    client = verified_client(make_member(role))
    assert client.get(LOG).status_code == 404
    assert client.get(REGISTER).status_code == 404


def test_a_system_administrator_finds_neither_page(verified_client, db):
    client = verified_client(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(LOG).status_code == 404
    assert client.get(REGISTER).status_code == 404


def test_the_menu_offers_heads_the_log_and_the_register(verified_client, head):
    page = page_of(verified_client(head), "/admin/")
    assert LOG in page and REGISTER in page


# -- The break-glass register ---------------------------------------------------------


def test_the_register_says_who_when_which_record_why_and_who_was_told(
    verified_client, school, dsl, make_member, head, trust_lead, pupils
):
    deputy = make_member(Role.DEPUTY_DSL, first_name="Casey", last_name="Deputy")
    pupil = pupils["ours"]
    restriction_set(obj=pupil, people=[dsl], reason="Sibling works here.", user=dsl)
    break_glass_open(
        user=deputy, obj=pupil, reason="Child disclosed at lunch; need the history."
    )
    told = set(
        Notification.objects.filter(kind=Notification.Kind.BREAK_GLASS).values_list(
            "user__last_name", flat=True
        )
    )
    assert told  # whoever the break-glass code tells
    for viewer in (head, trust_lead):
        page = page_of(verified_client(viewer), REGISTER)
        assert "Casey Deputy" in page
        assert "File of the child with UPN A123456789012" in page
        assert "Child disclosed at lunch; need the history." in page
        row = page.split("data-break-glass-row>")[1]
        for name in told:
            assert name in row
        assert str(pupil) not in page  # the child's name is not in the register


def test_the_register_names_who_was_recorded_as_told_not_who_got_a_message(
    verified_client, school, dsl, make_member, head, pupils
):
    """The register reads the access's own `told` (what its banner said), so a
    notification deleted or never delivered does not change it."""
    deputy = make_member(Role.DEPUTY_DSL, first_name="Casey", last_name="Deputy")
    restriction_set(obj=pupils["ours"], people=[dsl], reason="Kept.", user=dsl)
    access = break_glass_open(
        user=deputy,
        obj=pupils["ours"],
        reason="A disclosure at lunch; need the history.",
    )
    assert set(access.told.all()) == {dsl, head}
    Notification.objects.filter(kind=Notification.Kind.BREAK_GLASS).delete()
    row = page_of(verified_client(head), REGISTER).split("data-break-glass-row>")[1]
    assert dsl.get_full_name() in row and head.get_full_name() in row
    assert "Casey Deputy" in row  # who opened it, not who was told


def test_an_access_from_before_told_was_recorded_falls_back_to_its_messages(
    verified_client, school, dsl, make_member, head, pupils
):
    deputy = make_member(Role.DEPUTY_DSL, first_name="Casey", last_name="Deputy")
    restriction_set(obj=pupils["ours"], people=[dsl], reason="Kept.", user=dsl)
    access = break_glass_open(
        user=deputy,
        obj=pupils["ours"],
        reason="A disclosure at lunch; need the history.",
    )
    access.told.clear()  # as an access opened before `told` existed
    Notification.objects.filter(user=head, kind=Notification.Kind.BREAK_GLASS).delete()
    row = page_of(verified_client(head), REGISTER).split("data-break-glass-row>")[1]
    assert dsl.get_full_name() in row  # from the message the DSL was sent
    assert head.get_full_name() not in row


def test_the_register_shows_only_the_schools_overseen(
    verified_client, other_school, make_member, head, pupils
):
    other_dsl = make_member(Role.DSL, at=other_school)
    other_deputy = make_member(Role.DEPUTY_DSL, at=other_school)
    theirs = pupils["theirs"]
    restriction_set(
        obj=theirs, people=[other_dsl], reason="Kept close.", user=other_dsl
    )
    break_glass_open(user=other_deputy, obj=theirs, reason="Needed it for a meeting.")
    page = page_of(verified_client(head), REGISTER)
    assert "Needed it for a meeting." not in page
    assert "Nobody has used break-glass access at your schools." in page
