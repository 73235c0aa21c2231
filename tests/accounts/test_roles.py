"""Roles: what each role's membership grants, and the dashboard each role sees."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import Role
from accounts.roles import ROLE_GROUPS
from accounts.services import membership_grant, membership_revoke

from ..factories import PupilFactory, UserFactory

PANELS = ["roles", "reporting", "casework", "oversight", "configuration"]
EXPECTED_PANELS = {
    Role.STAFF: {"roles", "reporting"},
    Role.DSL: {"roles", "reporting", "casework"},
    Role.DEPUTY_DSL: {"roles", "reporting", "casework"},
    Role.HEAD: {"roles", "reporting", "oversight"},
    Role.CONFIGURATOR: {"roles", "reporting", "configuration"},
}


def panels_on(page):
    return {name for name in PANELS if f'data-panel="{name}"' in page}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_own_dashboard(verified_client, make_member, role):
    user = make_member(role)
    response = verified_client(user).get("/admin/")
    assert response.status_code == 200
    assert panels_on(response.content.decode()) == EXPECTED_PANELS[role]


def test_user_without_a_role_is_told_to_ask_their_dsl(verified_client, db):
    user = UserFactory()
    response = verified_client(user).get("/admin/", follow=True)
    page = response.content.decode()
    assert "Your account has no role yet" in page
    assert "Ask your designated safeguarding lead" in page
    assert panels_on(page) == set()


def test_dsl_counts_only_their_own_schools_pupils(
    verified_client, dsl, school, other_school
):
    PupilFactory.create_batch(3, school=school)
    PupilFactory(school=school, date_left="2026-07-20")
    PupilFactory.create_batch(5, school=other_school)
    page = verified_client(dsl).get("/admin/").content.decode()
    assert "3 pupils on roll" in page


def test_granting_a_role_opens_the_admin_and_revoking_closes_it(school, db):
    user = UserFactory()
    assert not user.has_perm("wagtailadmin.access_admin")

    membership_grant(user=user, school=school, role=Role.DSL)
    user = type(user).objects.get(pk=user.pk)
    assert user.has_perm("wagtailadmin.access_admin")

    membership_revoke(user=user, school=school, role=Role.DSL)
    user = type(user).objects.get(pk=user.pk)
    assert not user.has_perm("wagtailadmin.access_admin")
    assert not user.groups.exists()


@pytest.mark.parametrize("role", list(Role))
def test_no_role_grants_a_global_permission_on_case_data(make_member, role):
    user = make_member(role)
    case_apps = {"records", "audit", "accounts", "taxonomy", "concern_forms"}
    granted = {perm.split(".")[0] for perm in user.get_all_permissions()}
    assert granted & case_apps == set()


def test_granting_twice_makes_one_membership(school, staff):
    membership_grant(user=staff, school=school, role=Role.STAFF)
    assert staff.memberships.count() == 1


def test_every_role_has_a_group_with_permissions_after_migrate(db):
    for name, permissions in ROLE_GROUPS.values():
        group = Group.objects.get(name=name)
        assert group.permissions.count() == len(permissions)
