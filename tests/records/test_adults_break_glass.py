"""Break-glass, truthfully told: it notifies the school's heads and DSLs other than
the person who opened it (a sole DSL included), never the adult a concern names,
and the banner and the message name exactly who was told. Nobody breaks glass into
a concern that names them: the answer is the one for no concern at all."""

import pytest
from django.urls import reverse

from accounts.models import Role
from oversight.selectors import break_glass_register_for
from records import restrictions
from records.models import BreakGlassAccess
from workflows.models import Notification

from .. import builders

pytestmark = pytest.mark.django_db

GLASS = "The DSL is on a trip and the police need the history of this concern now."


@pytest.fixture
def people(school, other_school):
    people = {
        "staff": builders.member(school, Role.STAFF, first_name="Sam"),
        "deputy": builders.member(school, Role.DEPUTY_DSL, first_name="Dee"),
        "dsl": builders.member(school, Role.DSL, first_name="Dana"),
        "head": builders.member(school, Role.HEAD, first_name="Hana"),
        "trust_lead": builders.member(
            other_school, Role.HEAD, first_name="Tara", is_superuser=False
        ),
        "sysadmin": builders.member(school, Role.STAFF, is_superuser=True),
    }
    school.trust.nominated_lead = people["trust_lead"]
    school.trust.save()
    return people


def told(access):
    return set(access.told.all())


def test_a_sole_dsl_breaking_glass_is_reported_to_the_head(people, school):
    """A file restricted to the deputy: the school's only DSL breaks glass; the
    head and the deputy (named on it) are told, not the DSL."""
    concern = builders.concern(by=people["staff"], school=school)
    child = builders.child_of(concern)
    restrictions.restriction_set(
        obj=child, user=people["deputy"], reason="Deputy only (test).", people=[]
    )
    access = restrictions.break_glass_open(user=people["dsl"], obj=child, reason=GLASS)
    assert told(access) == {people["head"], people["deputy"]}
    notified = Notification.objects.filter(kind=Notification.Kind.BREAK_GLASS)
    assert {n.user for n in notified} == {people["head"], people["deputy"]}


def test_a_deputy_breaking_glass_tells_the_dsl_and_the_head(people, school):
    concern = builders.concern(by=people["staff"], school=school)
    restrictions.restriction_set(
        obj=concern, user=people["dsl"], reason="DSL only (test).", people=[]
    )
    access = restrictions.break_glass_open(
        user=people["deputy"], obj=concern, reason=GLASS
    )
    assert told(access) == {people["dsl"], people["head"]}


def test_the_banner_and_the_message_name_who_was_told(people, school, verified_client):
    concern = builders.concern(by=people["staff"], school=school)
    restrictions.restriction_set(
        obj=concern, user=people["dsl"], reason="DSL only (test).", people=[]
    )
    client = verified_client(people["deputy"])
    response = client.post(
        reverse("records_admin:break_glass"),
        {
            "school": school.pk,
            "reference": concern.reference,
            "reason": GLASS,
            "understood": "on",
        },
        follow=True,
    )
    page = response.content.decode()
    dsl, head = people["dsl"].get_full_name(), people["head"].get_full_name()
    assert "Told: " in page and dsl in page and head in page
    banner = page[page.index("data-told") : page.index("Your break-glass accesses")]
    assert dsl in banner and head in banner
    assert "The school&#x27;s DSLs have been told" not in page


@pytest.mark.parametrize("named", ["dsl", "deputy", "sysadmin"])
def test_nobody_breaks_glass_into_a_concern_naming_them(
    people, school, named, verified_client
):
    concern = builders.about(people[named], by=people["staff"], school=school)
    with pytest.raises(Exception, match="No concern with that reference"):
        restrictions.break_glass_target(
            user=people[named], school=school, reference=concern.reference
        )
    with pytest.raises(Exception, match="No concern with that reference"):
        restrictions.break_glass_open(user=people[named], obj=concern, reason=GLASS)
    page = (
        verified_client(people[named])
        .post(
            reverse("records_admin:break_glass"),
            {
                "school": school.pk,
                "reference": concern.reference,
                "reason": GLASS,
                "understood": "on",
            },
        )
        .content.decode()
    )
    assert "No concern with that reference at this school." in page
    assert not BreakGlassAccess.objects.exists()


def test_the_adult_named_is_not_told_of_break_glass_into_it(people, school):
    """Another system administrator opens a concern about the DSL: the head, the
    DSL team (but not the DSL named) and its case manager hear; the DSL does not."""
    concern = builders.about(people["dsl"], by=people["staff"], school=school)
    other_admin = builders.member(school, Role.STAFF, is_superuser=True)
    access = restrictions.break_glass_open(user=other_admin, obj=concern, reason=GLASS)
    assert people["dsl"] not in told(access)
    assert people["head"] in told(access)
    assert not Notification.objects.filter(user=people["dsl"]).exists()


def test_a_concern_about_the_head_is_told_to_its_case_manager_not_the_head(
    people, school
):
    concern = builders.about(people["head"], by=people["staff"], school=school)
    access = restrictions.break_glass_open(
        user=people["sysadmin"], obj=concern, reason=GLASS
    )
    assert people["head"] not in told(access)
    assert people["trust_lead"] in told(access)
    assert people["dsl"] in told(access)


def test_no_break_glass_register_lists_an_access_to_a_concern_naming_the_reader(
    people, school
):
    """A system administrator opens a concern about the DSL: the DSL's register
    (and the oversight register) do not list it; the head's does."""
    concern = builders.about(people["dsl"], by=people["staff"], school=school)
    access = restrictions.break_glass_open(
        user=people["sysadmin"], obj=concern, reason=GLASS
    )
    assert access not in restrictions.break_glass_register(people["dsl"])
    assert access not in break_glass_register_for(people["dsl"])
    assert access in break_glass_register_for(people["head"])
