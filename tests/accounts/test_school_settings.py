"""The School settings page: where a concern about the head goes (the chair of
governors, the trust's nominated lead), the DfE number and bank holiday region.

A head sees the settings, never changes who handles concerns about themselves;
the trust's lead changes them for the trust's schools; a system administrator
sets the DfE number and region, and the case managers only of a school with no
trust lead; everyone else gets a 404. Each change is audited and told."""

import pytest
from django.urls import reverse

from accounts.models import HeadConcernsTo, Role, School, Trust
from accounts.school_settings.selectors import head_concerns_have_nowhere_to_go
from audit.models import ChainedLogEntry as LogEntry
from workflows.models import Notification

from .. import builders
from ..factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

WARNING = "has nowhere to go"


def url(school):
    return reverse("school_settings_school", args=[school.pk])


@pytest.fixture
def people(school, other_school):
    return {
        "staff": builders.member(school, Role.STAFF),
        "deputy": builders.member(school, Role.DEPUTY_DSL),
        "dsl": builders.member(school, Role.DSL, last_name="Dee"),
        "head": builders.member(school, Role.HEAD, last_name="Headley"),
        "configurator": builders.member(school, Role.CONFIGURATOR),
        "trust_lead": builders.member(
            school,
            Role.HEAD,
            others=[(other_school, Role.HEAD)],
            first_name="Tess",
            last_name="Lead",
        ),
        "governor": builders.member(school, Role.STAFF, last_name="Chair"),
        "sysadmin": UserFactory(is_superuser=True, is_staff=True),
    }


def post(client, school, **data):
    fields = {
        "chair_of_governors": "",
        "head_concerns_to": HeadConcernsTo.CHAIR,
        "nominated_lead": "",
        "dfe_number": "",
        "region": "england_wales",
    }
    fields.update(data)
    return client.post(url(school), fields)


@pytest.mark.parametrize("role", ["staff", "deputy", "dsl", "configurator"])
def test_anyone_but_heads_trust_leads_and_admins_gets_a_404(
    verified_client, people, school, role
):
    client = verified_client(people[role])
    assert client.get(reverse("school_settings")).status_code == 404
    assert client.get(url(school)).status_code == 404
    assert post(client, school, chair_of_governors=people[role].pk).status_code == 404
    assert School.objects.get(pk=school.pk).chair_of_governors is None


def test_a_head_sees_the_settings_and_cannot_change_where_concerns_about_them_go(
    verified_client, people, school
):
    client = verified_client(people["head"])
    page = client.get(url(school)).content.decode()
    assert "data-case-manager-settings" in page
    assert "data-school-settings-form" not in page
    assert "lead changes them" in page
    post(client, school, chair_of_governors=people["head"].pk)
    post(client, school, chair_of_governors=people["governor"].pk)
    assert School.objects.get(pk=school.pk).chair_of_governors is None


def test_a_trust_lead_sets_the_chair_the_nominated_lead_and_the_details(
    verified_client, people, school
):
    client = verified_client(people["trust_lead"])
    response = post(
        client,
        school,
        chair_of_governors=people["governor"].pk,
        nominated_lead=people["trust_lead"].pk,
        dfe_number="8232000",
        region="scotland",
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.chair_of_governors == people["governor"]
    assert school.head_concerns_to == HeadConcernsTo.CHAIR
    assert school.trust.nominated_lead == people["trust_lead"]
    assert (school.dfe_number, school.region) == ("8232000", "scotland")


def test_a_change_is_audited_and_told_naming_who_made_it(
    verified_client, people, school
):
    post(
        verified_client(people["trust_lead"]),
        school,
        chair_of_governors=people["governor"].pk,
    )
    entry = LogEntry.objects.get_for_object(school).latest("timestamp")
    assert entry.actor == people["trust_lead"]
    assert "chair_of_governors" in entry.changes_dict
    told = Notification.objects.filter(message__contains="Tess Lead changed who")
    assert set(told.values_list("user__last_name", flat=True)) == {
        "Headley",
        "Dee",
        "Chair",
    }


@pytest.mark.parametrize("who", ["head", "sysadmin", "elsewhere"])
def test_the_chair_must_hold_a_role_at_the_school_and_not_be_its_head(
    verified_client, people, school, who
):
    chosen = (
        builders.member(SchoolFactory(), Role.STAFF) if who == "elsewhere" else None
    ) or people[who]
    response = post(
        verified_client(people["trust_lead"]),
        school,
        chair_of_governors=chosen.pk,
        dfe_number="8232000",
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    school.refresh_from_db()
    assert school.chair_of_governors is None
    assert school.dfe_number == ""  # nothing half-saved


def test_a_bad_dfe_number_says_why_and_keeps_what_was_typed(
    verified_client, people, school
):
    response = post(
        verified_client(people["trust_lead"]),
        school,
        chair_of_governors=people["governor"].pk,
        dfe_number="82320",
    )
    page = response.content.decode()
    assert "Seven digits" in page and 'value="82320"' in page
    school.refresh_from_db()
    assert (school.dfe_number, school.chair_of_governors) == ("", None)


def test_a_system_administrator_sets_the_details_but_not_the_case_managers(
    verified_client, people, school
):
    client = verified_client(people["sysadmin"])
    page = client.get(url(school)).content.decode()
    assert 'name="dfe_number"' in page
    assert 'name="chair_of_governors"' not in page
    assert 'name="nominated_lead"' not in page
    post(client, school, chair_of_governors=people["governor"].pk, dfe_number="8232000")
    school.refresh_from_db()
    assert school.dfe_number == "8232000"
    assert school.chair_of_governors is None


def test_a_school_with_no_trust_lead_has_its_chair_set_by_the_administrator(
    verified_client, db
):
    alone = SchoolFactory(trust=Trust.objects.create(name="Stand-alone (test)"))
    builders.member(alone, Role.HEAD)  # a head, and no trust lead
    governor = builders.member(alone, Role.STAFF)
    admin = UserFactory(is_superuser=True, is_staff=True)
    post(verified_client(admin), alone, chair_of_governors=governor.pk)
    alone.refresh_from_db()
    assert alone.chair_of_governors == governor
    # but never a system administrator's own account
    response = post(verified_client(admin), alone, chair_of_governors=admin.pk)
    assert "Select a valid choice" in response.content.decode()
    assert not head_concerns_have_nowhere_to_go(alone)


def test_another_trusts_lead_gets_a_404(verified_client, people, school):
    trust = Trust.objects.create(name="Other Trust (test)")
    first, second = SchoolFactory(trust=trust), SchoolFactory(trust=trust)
    lead = builders.member(first, Role.HEAD, others=[(second, Role.HEAD)])
    assert verified_client(lead).get(url(school)).status_code == 404


def test_a_head_is_warned_when_a_concern_about_them_has_nowhere_to_go(
    verified_client, people, school
):
    assert head_concerns_have_nowhere_to_go(school)
    head = verified_client(people["head"])
    assert WARNING in head.get(url(school)).content.decode()
    assert WARNING in head.get(reverse("wagtailadmin_home")).content.decode()
    lead = verified_client(people["trust_lead"])
    # The lead heads this school too: a concern about them would still go nowhere.
    post(lead, school, nominated_lead=people["trust_lead"].pk)
    assert WARNING in lead.get(url(school)).content.decode()
    post(lead, school, chair_of_governors=people["governor"].pk)
    head = verified_client(people["head"])
    assert WARNING not in head.get(url(school)).content.decode()
    assert WARNING not in head.get(reverse("wagtailadmin_home")).content.decode()


def test_a_lead_who_heads_the_school_is_not_somewhere_for_their_own_concern(
    people, school
):
    school.trust.nominated_lead = people["trust_lead"]  # a head here too
    school.trust.save()
    assert head_concerns_have_nowhere_to_go(School.objects.get(pk=school.pk))
