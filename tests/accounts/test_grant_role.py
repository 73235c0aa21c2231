"""A system administrator gives and takes roles with `manage.py grant_role` on the
server. At a school where someone can confirm it, the role waits for them (an
account the administrator makes has no role until the school confirms one); a
school being set up gets its first people directly. Everyone concerned hears."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command

from accounts.models import Membership, PendingRoleGrant, Role
from accounts.services import role_grant_confirm
from audit.models import ChainedLogEntry
from workflows.models import Notification

from ..factories import UserFactory


@pytest.fixture
def newcomer(db):
    return UserFactory(username="new.deputy", first_name="Nia", last_name="Newcomer")


def test_at_a_school_with_a_dsl_the_role_waits_for_the_dsl_to_confirm(
    school, dsl, newcomer
):
    call_command("grant_role", "new.deputy", school.urn, "deputy_dsl")

    assert not Membership.objects.filter(user=newcomer).exists()
    grant = PendingRoleGrant.objects.get(user=newcomer, school=school)
    asked = Notification.objects.get(kind=Notification.Kind.ROLE_GRANTED)
    assert asked.user == dsl
    assert asked.message == (
        "a system administrator on the server proposes Nia Newcomer as Deputy DSL "
        f"at {school}: confirm or decline it."
    )
    assert asked.url == f"/admin/roles/waiting/{grant.pk}/"

    membership = role_grant_confirm(grant=grant, actor=dsl)
    assert membership.role == Role.DEPUTY_DSL
    assert ChainedLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Membership),
        object_pk=str(membership.pk),
        action=ChainedLogEntry.Action.CREATE,
    ).exists()


def test_proposing_twice_asks_once(school, dsl, newcomer):
    call_command("grant_role", "new.deputy", school.urn, "head")
    call_command("grant_role", "new.deputy", school.urn, "head")
    assert PendingRoleGrant.objects.filter(user=newcomer).count() == 1
    assert Notification.objects.filter(kind="role_granted").count() == 1


def test_a_school_being_set_up_gets_its_first_dsl_directly(school, newcomer):
    # Nobody holds a role there yet, so nobody could confirm: the server's
    # command is how a school's first DSL is made.
    call_command("grant_role", "new.deputy", school.urn, "dsl")
    assert Membership.objects.filter(user=newcomer, role=Role.DSL).exists()
    assert not PendingRoleGrant.objects.exists()


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
