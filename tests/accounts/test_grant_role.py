"""A system administrator gives and takes roles with `manage.py grant_role`; the
school's DSLs hear of every new DSL, deputy or head, and the audit log keeps it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command

from accounts.models import Membership, Role
from audit.models import ChainedLogEntry
from workflows.models import Notification

from ..factories import UserFactory


@pytest.fixture
def newcomer(db):
    return UserFactory(username="new.deputy", first_name="Nia", last_name="Newcomer")


def test_a_new_deputy_is_given_the_role_and_the_dsl_is_told(school, dsl, newcomer):
    call_command("grant_role", "new.deputy", school.urn, "deputy_dsl")

    membership = Membership.objects.get(user=newcomer, school=school)
    assert membership.role == Role.DEPUTY_DSL
    told = Notification.objects.get(kind=Notification.Kind.ROLE_GRANTED)
    assert told.user == dsl
    assert "Nia Newcomer was made Deputy DSL" in told.message
    assert ChainedLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Membership),
        object_pk=str(membership.pk),
        action=ChainedLogEntry.Action.CREATE,
    ).exists()


def test_granting_twice_tells_nobody_twice(school, dsl, newcomer):
    call_command("grant_role", "new.deputy", school.urn, "head")
    call_command("grant_role", "new.deputy", school.urn, "head")
    assert Notification.objects.filter(kind="role_granted").count() == 1


def test_a_staff_role_is_not_announced(school, dsl, newcomer):
    call_command("grant_role", "new.deputy", school.urn, "staff")
    assert Membership.objects.filter(user=newcomer, role=Role.STAFF).exists()
    assert not Notification.objects.filter(kind="role_granted").exists()


def test_revoke_takes_the_role_away(school, newcomer):
    call_command("grant_role", "new.deputy", school.urn, "dsl")
    call_command("grant_role", "new.deputy", school.urn, "dsl", "--revoke")
    assert not Membership.objects.filter(user=newcomer).exists()


def test_unknown_people_and_schools_are_refused_clearly(school, newcomer):
    with pytest.raises(CommandError, match="No user called 'nobody'"):
        call_command("grant_role", "nobody", school.urn, "dsl")
    with pytest.raises(CommandError, match="No active school with URN '000000'"):
        call_command("grant_role", "new.deputy", "000000", "dsl")
    assert not Membership.objects.filter(user=newcomer).exists()
