"""Roles as each role would try them: nobody gives themselves a role; the DSL,
deputy and head roles (and any role a system administrator gives) wait for a
second person at the school, and grant nothing until then; every change is told to
the school's head and the trust's leads, naming who made it; the Roles page never
says whether an account exists elsewhere on the service.

The trust lead is the head of two of the trust's schools (accounts.selectors.
trust_leads_of), as lead.trust in the demo."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Membership, PendingRoleGrant, Role
from accounts.selectors import has_a_role, roles_of, trust_leads_of
from accounts.services import (
    RoleGiven,
    role_give,
    role_grant_confirm,
    role_take_away,
)
from api.endpoints import api
from workflows.models import Notification

from ..factories import SchoolFactory, UserFactory
from .test_role_pages import GIVE, messages_of, signed_in


def decide_url(grant):
    return f"/admin/roles/waiting/{grant.pk}/"


def told(user):
    return [
        n.message
        for n in Notification.objects.filter(
            user=user, kind=Notification.Kind.ROLE_GRANTED
        ).order_by("pk")
    ]


@pytest.fixture
def people(school, other_school, make_member):
    """One person per role at the school, and the trust lead (head of both)."""
    found = {
        "staff": make_member(Role.STAFF, first_name="Alex", last_name="Staff"),
        "deputy": make_member(Role.DEPUTY_DSL, first_name="Casey", last_name="Deputy"),
        "dsl": make_member(Role.DSL, first_name="Jordan", last_name="Ellis"),
        "head": make_member(Role.HEAD, first_name="Morgan", last_name="Hale"),
        "configurator": make_member(
            Role.CONFIGURATOR, first_name="Riley", last_name="Quinn"
        ),
        "trust_lead": make_member(Role.HEAD, first_name="Jamie", last_name="Lowe"),
    }
    found["trust_lead"].memberships.create(school=other_school, role=Role.HEAD)
    found["sysadmin"] = UserFactory(
        first_name="Sasha", last_name="Stone", is_superuser=True, is_staff=True
    )
    return found


# -- Nobody gives themselves a role ----------------------------------------------------


@pytest.mark.parametrize("role", [Role.DSL, Role.HEAD, Role.STAFF, Role.CONFIGURATOR])
def test_a_dsl_cannot_give_themselves_any_role_on_the_page(school, people, role):
    dsl = people["dsl"]
    response = signed_in(dsl).post(
        GIVE, {"person": dsl.username, "school": school.pk, "role": role}
    )
    assert "You can&#x27;t give yourself a role" in response.content.decode()
    assert roles_of(dsl, school=school) == {Role.DSL}
    assert not PendingRoleGrant.objects.exists()


@pytest.mark.parametrize(
    "who", ["staff", "deputy", "dsl", "head", "configurator", "trust_lead"]
)
def test_no_caller_of_the_service_can_give_themselves_a_role(school, people, who):
    person = people[who]
    with pytest.raises((ValidationError, PermissionDenied)):
        role_give(user=person, school=school, role=Role.HEAD, actor=person)
    assert not PendingRoleGrant.objects.exists()
    assert Role.HEAD not in roles_of(person, school=school) or who in (
        "head",
        "trust_lead",
    )


@pytest.mark.parametrize(
    "who", ["staff", "deputy", "head", "configurator", "trust_lead"]
)
def test_only_dsls_and_system_administrators_find_the_give_page(people, who):
    assert signed_in(people[who]).get(GIVE).status_code == 404


def test_the_api_has_no_way_to_give_a_role(people, client):
    paths = api.get_openapi_schema()["paths"]
    assert not [path for path in paths if "role" in path or "member" in path]
    response = client.post(
        "/api/v1/roles/",
        {"user": people["dsl"].pk, "role": "head"},
        content_type="application/json",
    )
    assert response.status_code in (401, 404)
    assert Role.HEAD not in roles_of(people["dsl"])


# -- A second person confirms ----------------------------------------------------------


@pytest.mark.parametrize("role", [Role.DSL, Role.DEPUTY_DSL, Role.HEAD])
def test_a_case_or_oversight_role_waits_and_grants_nothing_meanwhile(
    school, people, role
):
    staff = people["staff"]
    held, given = role_give(user=staff, school=school, role=role, actor=people["dsl"])
    assert given == RoleGiven.WAITING
    assert isinstance(held, PendingRoleGrant)
    assert roles_of(staff, school=school) == {Role.STAFF}
    client = signed_in(staff)
    assert client.get("/admin/roles/").status_code == 404
    assert client.get("/admin/audit-log/").status_code == 404


@pytest.mark.parametrize(
    ("who", "may"),
    [
        ("staff", False),
        ("deputy", False),
        ("configurator", False),
        ("dsl", False),  # proposed it
        ("head", True),
        ("trust_lead", True),  # a head of this school too
        ("sysadmin", False),
    ],
)
def test_who_may_confirm_a_proposed_dsl(school, people, make_member, who, may):
    newcomer = make_member(Role.STAFF, first_name="Nia", last_name="Newcomer")
    grant, _given = role_give(
        user=newcomer, school=school, role=Role.DSL, actor=people["dsl"]
    )
    response = signed_in(people[who]).post(decide_url(grant), {"decision": "confirm"})
    assert (response.status_code == 302) is may
    assert Membership.objects.filter(user=newcomer, role=Role.DSL).exists() is may
    if not may:
        assert response.status_code == 404
        with pytest.raises(PermissionDenied):
            role_grant_confirm(grant=grant, actor=people[who])


def test_the_person_proposed_cannot_confirm_their_own_role(school, people):
    deputy = people["deputy"]
    grant, _given = role_give(
        user=deputy, school=school, role=Role.DSL, actor=people["dsl"]
    )
    response = signed_in(deputy).post(decide_url(grant), {"decision": "confirm"})
    assert response.status_code == 404
    assert roles_of(deputy, school=school) == {Role.DEPUTY_DSL}


def test_the_trust_lead_confirms_where_the_school_has_no_one_else(
    school, other_school, people, make_member
):
    third = SchoolFactory(name="Third Acre School (test)")  # same trust
    sole_dsl = make_member(Role.DSL, at=third, first_name="Solo", last_name="Dsl")
    teacher = make_member(Role.STAFF, at=third, first_name="Tia", last_name="Teacher")
    assert list(trust_leads_of(third)) == [people["trust_lead"]]
    grant, _given = role_give(
        user=teacher, school=third, role=Role.DEPUTY_DSL, actor=sole_dsl
    )
    assert told(people["trust_lead"]) == [
        f"Solo Dsl proposes Tia Teacher as Deputy DSL at {third}: confirm or "
        "decline it."
    ]
    lead = signed_in(people["trust_lead"])
    page = lead.get("/admin/roles/").content.decode()
    assert "Waiting for you to confirm" in page and decide_url(grant) in page
    assert lead.get(decide_url(grant)).status_code == 200
    lead.post(decide_url(grant), {"decision": "confirm"})
    assert roles_of(teacher, school=third) == {Role.STAFF, Role.DEPUTY_DSL}


def test_a_declined_role_is_never_held_and_the_proposer_hears(school, people):
    staff, dsl, head = people["staff"], people["dsl"], people["head"]
    grant, _given = role_give(user=staff, school=school, role=Role.HEAD, actor=dsl)
    signed_in(head).post(decide_url(grant), {"decision": "decline"})
    grant.refresh_from_db()
    assert grant.outcome == PendingRoleGrant.Outcome.DECLINED
    assert grant.decided_by == head
    assert roles_of(staff, school=school) == {Role.STAFF}
    assert (
        told(dsl)[-1]
        == f"Morgan Hale declined Alex Staff as Headteacher / manager at {school}."
    )


def test_a_second_confirmation_changes_nothing(school, people, make_member):
    other_dsl = make_member(Role.DSL, first_name="Sam", last_name="Second")
    grant, _given = role_give(
        user=people["staff"], school=school, role=Role.DEPUTY_DSL, actor=people["dsl"]
    )
    signed_in(people["head"]).post(decide_url(grant), {"decision": "confirm"})
    again = signed_in(other_dsl).post(
        decide_url(grant), {"decision": "decline"}, follow=True
    )
    assert messages_of(again)[-1] == "Morgan Hale has already confirmed this role."
    assert (
        Membership.objects.filter(user=people["staff"], role=Role.DEPUTY_DSL).count()
        == 1
    )


def test_a_decided_role_is_not_found_by_someone_from_elsewhere(
    school, other_school, people, make_member
):
    grant, _given = role_give(
        user=people["staff"], school=school, role=Role.HEAD, actor=people["dsl"]
    )
    role_grant_confirm(grant=grant, actor=people["head"])
    stranger = make_member(Role.DSL, at=other_school)
    assert signed_in(stranger).get(decide_url(grant)).status_code == 404


# -- The system administrator's path ---------------------------------------------------


def test_an_account_a_system_administrator_makes_has_no_role_until_the_school_confirms(
    school, people
):
    sysadmin, head, dsl = people["sysadmin"], people["head"], people["dsl"]
    made = UserFactory(username="new.account", first_name="Nova", last_name="Made")
    client = signed_in(sysadmin)
    for role in ("dsl", "staff"):
        client.post(GIVE, {"person": "new.account", "school": school.pk, "role": role})
    assert not has_a_role(made)
    assert set(
        PendingRoleGrant.objects.filter(user=made).values_list("role", flat=True)
    ) == {"dsl", "staff"}
    # Signed in, the new account sees nothing of the school.
    made_client = signed_in(made)
    for url in ("/admin/audit-log/", "/admin/roles/", "/admin/casework/team-queue/"):
        assert made_client.get(url).status_code in (302, 404)  # sign-in or not found
    # The school's head and DSL are asked, and told who proposed it.
    asked = told(head)
    assert (
        f"Sasha Stone (system administrator) proposes Nova Made as Designated "
        f"safeguarding lead at {school}: confirm or decline it." in asked
    )
    assert told(dsl) == asked
    # The administrator cannot confirm it for the school.
    grant = PendingRoleGrant.objects.get(user=made, role=Role.DSL)
    assert client.post(decide_url(grant), {"decision": "confirm"}).status_code == 404
    assert not has_a_role(made)
    # The head confirms: the head's own notification is not sent to them, but the
    # trust lead and the DSLs hear who proposed and who confirmed.
    signed_in(head).post(decide_url(grant), {"decision": "confirm"})
    assert roles_of(made, school=school) == {Role.DSL}
    message = (
        f"Sasha Stone (system administrator) made Nova Made Designated safeguarding "
        f"lead at {school}; Morgan Hale confirmed it."
    )
    assert told(people["trust_lead"])[-1] == message
    assert told(dsl)[-1] == message


# -- Every change is told, naming who made it ----------------------------------------


def test_a_role_given_directly_is_told_to_the_head_and_trust_lead(school, people):
    dsl, staff = people["dsl"], people["staff"]
    _held, given = role_give(
        user=staff, school=school, role=Role.CONFIGURATOR, actor=dsl
    )
    assert given == RoleGiven.GIVEN
    message = (
        f"Jordan Ellis made Alex Staff Configurator (forms and categories) at {school}."
    )
    assert told(people["head"]) == [message]
    assert told(people["trust_lead"]) == [message]
    assert told(dsl) == []  # who made it knows
    assert told(people["deputy"]) == []


def test_taking_a_heads_role_away_tells_the_trust(school, people):
    head, dsl = people["head"], people["dsl"]
    role_take_away(membership=head.memberships.get(), actor=dsl)
    message = (
        f"Jordan Ellis took away Morgan Hale's role as Headteacher / manager at "
        f"{school}."
    )
    assert told(people["trust_lead"]) == [message]
    assert Role.HEAD not in roles_of(head, school=school)


def test_taking_any_role_away_on_the_page_names_who_did(school, people):
    dsl = people["dsl"]
    membership = people["staff"].memberships.get()
    signed_in(dsl).post(f"/admin/roles/{membership.pk}/take-away/")
    message = f"Jordan Ellis took away Alex Staff's role as Staff at {school}."
    assert told(people["head"]) == [message]
    assert told(people["trust_lead"]) == [message]


# -- The page does not say who has an account elsewhere --------------------------------


def test_unknown_and_other_school_emails_get_the_same_answer(
    school, other_school, people, make_member
):
    make_member(Role.STAFF, at=other_school, email="elsewhere@example.org")
    client = signed_in(people["dsl"])

    def answer(typed):
        page = client.post(
            GIVE, {"person": typed, "school": school.pk, "role": "staff"}
        ).content.decode()
        start = page.index("No one with the username or email")
        return page[start : page.index("<", start)].replace(typed, "…")

    assert answer("elsewhere@example.org") == answer("nobody@example.org")
    assert not Membership.objects.filter(
        user__email="elsewhere@example.org", school=school
    ).exists()
