"""The Roles page: a school's DSLs see who holds which role there and give and take
roles; heads see the list; a system administrator keeps every school's roles; no
one else finds the page."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, PendingRoleGrant, Role
from audit.models import ChainedLogEntry
from workflows.models import Notification

from ..factories import UserFactory

GIVE = "/admin/roles/give/"


def signed_in(user):
    """A fresh client per person, past two-factor (as verified_client does)."""
    client = Client()
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app"
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def newcomer(db):
    return UserFactory(
        username="nia.newcomer",
        email="Nia.Newcomer@example.org",
        first_name="Nia",
        last_name="Newcomer",
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_a_dsl_proposes_a_deputy_and_the_other_dsl_confirms_it(
    school, dsl, make_member, newcomer
):
    newcomer.memberships.create(school=school, role=Role.STAFF)
    second_dsl = make_member(Role.DSL, first_name="Sam", last_name="Second")
    response = signed_in(dsl).post(
        GIVE,
        {"person": "nia.newcomer", "school": school.pk, "role": "deputy_dsl"},
        follow=True,
    )
    assert not Membership.objects.filter(user=newcomer, role=Role.DEPUTY_DSL).exists()
    assert messages_of(response) == [
        f"Nia Newcomer will be Deputy DSL at {school} once a second person "
        "confirms it: Sam Second."
    ]
    grant = PendingRoleGrant.objects.get(user=newcomer)
    asked = Notification.objects.get(kind=Notification.Kind.ROLE_GRANTED)
    assert asked.user == second_dsl
    assert str(dsl) in asked.message

    confirmer = signed_in(second_dsl)
    page = confirmer.get(f"/admin/roles/waiting/{grant.pk}/").content.decode()
    assert "Confirm Nia Newcomer as Deputy DSL?" in page
    confirmer.post(f"/admin/roles/waiting/{grant.pk}/", {"decision": "confirm"})
    given = Membership.objects.get(user=newcomer, role=Role.DEPUTY_DSL)
    entry = ChainedLogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Membership),
        object_pk=str(given.pk),
        action=ChainedLogEntry.Action.CREATE,
    )
    assert entry.actor == second_dsl


def test_the_person_can_be_named_by_email_in_any_case(school, dsl, newcomer):
    newcomer.memberships.create(school=school, role=Role.STAFF)
    signed_in(dsl).post(
        GIVE,
        {
            "person": " nia.newcomer@EXAMPLE.org ",
            "school": school.pk,
            "role": "configurator",
        },
    )
    assert Membership.objects.filter(user=newcomer, role=Role.CONFIGURATOR).exists()


def test_an_unknown_person_is_refused_and_what_was_typed_is_kept(school, dsl):
    response = signed_in(dsl).post(
        GIVE, {"person": "no.such.person", "school": school.pk, "role": "head"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "No one with the username or email “no.such.person” holds a role at your "
        "schools" in page
    )
    assert 'value="no.such.person"' in page
    assert f'<option value="{school.pk}" selected>' in page
    assert Membership.objects.count() == 1  # the DSL's own


def test_a_system_administrator_account_is_never_given_a_role(school, dsl):
    admin = UserFactory(username="sysadmin.test", is_superuser=True)
    other_admin = UserFactory(username="sysadmin.other", is_superuser=True)
    # To a DSL it is an account they cannot name, like any other elsewhere.
    response = signed_in(dsl).post(
        GIVE, {"person": "sysadmin.test", "school": school.pk, "role": "dsl"}
    )
    assert "No one with the username or email" in response.content.decode()
    # Another administrator is told why.
    response = signed_in(other_admin).post(
        GIVE, {"person": "sysadmin.test", "school": school.pk, "role": "dsl"}
    )
    assert "is a system administrator" in response.content.decode()
    assert not Membership.objects.filter(user=admin).exists()
    assert not PendingRoleGrant.objects.filter(user=admin).exists()


def test_a_double_submit_proposes_the_role_once_and_asks_once(
    school, dsl, make_member, newcomer
):
    make_member(Role.DSL)
    newcomer.memberships.create(school=school, role=Role.STAFF)
    client = signed_in(dsl)
    data = {"person": "nia.newcomer", "school": school.pk, "role": "head"}
    client.post(GIVE, data)
    client.post(GIVE, data, follow=True)
    assert PendingRoleGrant.objects.filter(user=newcomer).count() == 1
    assert Notification.objects.filter(kind="role_granted").count() == 1


def test_a_dsl_cannot_give_a_role_at_another_school(
    school, other_school, dsl, newcomer
):
    response = signed_in(dsl).post(
        GIVE, {"person": "nia.newcomer", "school": other_school.pk, "role": "dsl"}
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()


def test_a_head_sees_the_roles_but_cannot_change_them(school, dsl, head, staff):
    client = signed_in(head)
    page = client.get("/admin/roles/").content.decode()
    assert str(dsl) in page and str(staff) in page
    assert "Take away" not in page and GIVE not in page
    assert client.get(GIVE).status_code == 404
    membership = staff.memberships.get()
    assert client.post(f"/admin/roles/{membership.pk}/take-away/").status_code == 404
    assert staff.memberships.exists()


@pytest.mark.parametrize("role", [Role.STAFF, Role.DEPUTY_DSL, Role.CONFIGURATOR])
def test_no_one_else_finds_the_page(make_member, role):
    client = signed_in(make_member(role))
    assert client.get("/admin/roles/").status_code == 404
    assert client.get(GIVE).status_code == 404


def test_a_dsl_sees_only_their_own_schools_roles(
    school, other_school, dsl, make_member
):
    elsewhere = make_member(Role.STAFF, at=other_school, last_name="Elsewhere")
    page = signed_in(dsl).get("/admin/roles/").content.decode()
    assert str(dsl) in page
    assert str(elsewhere) not in page
    taken = elsewhere.memberships.get()
    response = signed_in(dsl).post(f"/admin/roles/{taken.pk}/take-away/")
    assert response.status_code == 404
    assert Membership.objects.filter(pk=taken.pk).exists()


def test_taking_the_last_dsl_away_warns_first_then_is_logged(school, dsl):
    client = signed_in(dsl)
    mine = dsl.memberships.get()
    url = f"/admin/roles/{mine.pk}/take-away/"
    warning = client.get(url).content.decode()
    assert "They are the only DSL at" in warning
    assert "This is your own role" in warning
    assert Membership.objects.filter(pk=mine.pk).exists()  # asking changed nothing
    response = client.post(url)
    assert response["Location"] == "/admin/"  # the Roles page is no longer hers
    assert not Membership.objects.filter(pk=mine.pk).exists()
    assert ChainedLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Membership),
        object_pk=str(mine.pk),
        action=ChainedLogEntry.Action.DELETE,
        actor=dsl,
    ).exists()


def test_a_second_click_on_take_away_says_it_is_done(school, dsl, staff):
    client = signed_in(dsl)
    url = f"/admin/roles/{staff.memberships.get().pk}/take-away/"
    client.post(url)
    again = client.post(url, follow=True)
    assert again.status_code == 200
    assert messages_of(again)[-1] == "That role had already been taken away."
    assert not staff.memberships.exists()


def test_a_system_administrator_keeps_every_schools_roles(
    school, other_school, dsl, make_member, newcomer
):
    other_dsl = make_member(Role.DSL, at=other_school)
    admin = UserFactory(is_superuser=True)
    client = signed_in(admin)
    page = client.get("/admin/roles/").content.decode()
    assert str(school) in page and str(other_school) in page
    client.post(
        GIVE, {"person": "nia.newcomer", "school": other_school.pk, "role": "dsl"}
    )
    # Proposed only: the school's DSL decides.
    assert not Membership.objects.filter(user=newcomer).exists()
    grant = PendingRoleGrant.objects.get(user=newcomer, school=other_school)
    assert grant.proposed_by == admin
    signed_in(other_dsl).post(
        f"/admin/roles/waiting/{grant.pk}/", {"decision": "confirm"}
    )
    assert Membership.objects.filter(user=newcomer, school=other_school).exists()


def test_the_list_filters_by_role_school_and_name(
    school, other_school, dsl, make_member
):
    admin = UserFactory(is_superuser=True)
    make_member(Role.STAFF, first_name="Pat", last_name="Quinlan")
    make_member(Role.STAFF, at=other_school, first_name="Pat", last_name="Farrow")
    client = signed_in(admin)

    def names(**query):
        response = client.get("/admin/roles/", query)
        assert response.status_code == 200
        return {m.user.last_name for m in response.context["page"].object_list}

    assert names(role="dsl") == {dsl.last_name}
    assert names(q="pat") == {"Quinlan", "Farrow"}
    assert names(q="pat", school=other_school.pk) == {"Farrow"}
    assert len(names(school="99999999999999999999999", role="nonsense")) == 3


def test_the_list_asks_the_same_number_of_queries_however_long(
    school, dsl, make_member, django_assert_max_num_queries
):
    client = signed_in(dsl)
    client.get("/admin/roles/")  # warm the session and menu
    for _n in range(3):
        make_member(Role.STAFF)
    with django_assert_max_num_queries(60) as few:
        client.get("/admin/roles/")
    for _n in range(40):
        make_member(Role.STAFF)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/admin/roles/")
    assert len(response.context["page"].object_list) == 44


def test_the_next_page_keeps_the_filter(school, dsl, make_member):
    for _n in range(55):
        make_member(Role.STAFF)
    client = signed_in(dsl)
    first = client.get("/admin/roles/", {"role": "staff"}).content.decode()
    assert "Page 1 of 2" in first
    assert "?role=staff&amp;p=2" in first
    second = client.get("/admin/roles/", {"role": "staff", "p": 2})
    assert len(second.context["page"].object_list) == 5
