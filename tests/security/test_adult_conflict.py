"""Conflict of interest, everywhere: a concern about an adult is never shown to the
adult it names, on any page, export, file download or API answer, whatever role
they hold — not its content, not its reference (they are not told it exists).

The world's school (conftest.world) gains a chair of governors, a system
administrator who also works there, and a reporter; the trust's nominated lead is
the world's trust lead. Each of the roles below is named in turn on a concern
about the world's ordinary child, carrying canary text; every URL of ours is
requested by the adult named, with that concern and its task (and the world's
other records) in the URL. The case manager is asked too, so the test would notice if
the canary could not be found at all.
"""

from types import SimpleNamespace

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from api.models import Scope
from api.services import token_create
from records.models import Concern
from workflows.models import CaseTask, Notification

from .. import builders
from .conftest import signed_in
from .matrix import ALLOW, DENY, NOT_ALLOWED, fetch
from .test_need_to_know import body, get, leaks, urls
from .test_permission_matrix import ALL_ROUTES, OURS, RULES, url_for

pytestmark = pytest.mark.django_db

NAMED = (
    "staff",
    "deputy",
    "dsl",
    "head",
    "configurator",
    "trust_lead",
    "sysadmin",
)
# Who manages each (records.selectors.case_managers): the heads, unless a head is
# named; then the trust's nominated lead, or the chair when the lead is named.
MANAGER = {
    "head": "trust_lead",
    "trust_lead": "chair",
}


def canary(role):
    return f"CANARY-ADULT-{role}"


@pytest.fixture(scope="module")
def adults(world, django_db_blocker):
    with django_db_blocker.unblock():
        school = world.school
        people = dict(world.people)
        for role, superuser in (("chair", False), ("sysadmin", True)):
            people[role] = builders.member(
                school, Role.STAFF, is_superuser=superuser, two_factor=True
            )
        reporter = builders.member(school, Role.STAFF, two_factor=True)
        school.trust.nominated_lead = people["trust_lead"]
        school.trust.save()
        school.chair_of_governors = people["chair"]
        school.save()
        concerns = {
            role: builders.about(
                people[role],
                by=reporter,
                school=school,
                children=[world.pupil],
                what_happened=f"{canary(role)}: seen alone with a pupil.",
            )
            for role in NAMED
        }
        worlds = {
            role: SimpleNamespace(
                **{
                    **vars(world),
                    "concern": concern,
                    "task": CaseTask.objects.get(
                        concern=concern, flow_task_type="HUMAN", status="NEW"
                    ),
                    "entry": f"concern-{concern.pk}",
                }
            )
            for role, concern in concerns.items()
        }
        clients = {role: signed_in(people[role]) for role in (*NAMED, "chair")}
        secrets = {
            role: token_create(
                user=people[role], name="Adult test", scopes=[Scope.SUBMIT, Scope.TASKS]
            )[1]
            for role in NAMED
        }
        assert TOTPDevice.objects.filter(user=people["sysadmin"]).exists()
        return SimpleNamespace(
            people=people,
            concerns=concerns,
            worlds=worlds,
            clients=clients,
            secrets=secrets,
        )


def words(adults, role):
    return (canary(role), adults.concerns[role].reference)


@pytest.mark.parametrize("named", NAMED)
def test_the_case_manager_sees_the_canary(adults, named):
    """The check below can fail: the concern's page shows the canary to its case
    manager."""
    manager = adults.clients[MANAGER.get(named, "head")]
    world = adults.worlds[named]
    _status, text = get(
        manager, url_for(ALL_ROUTES["workflows:casework_concern"], world, ("concern",))
    )
    assert canary(named) in text


@pytest.mark.parametrize("named", NAMED)
def test_no_page_shows_a_concern_to_the_adult_it_names(adults, named):
    # One world: the adult concern's world holds the world's ordinary records too
    # (its child is the world's child), so list and file pages are asked once.
    found = leaks(
        adults.clients[named], OURS, (adults.worlds[named],), words(adults, named)
    )
    assert not found, "A concern shown to the adult it names:\n" + "\n".join(found)


@pytest.mark.parametrize("named", NAMED)
def test_no_api_answer_shows_a_concern_to_the_adult_it_names(world, adults, named):
    client = Client()
    headers = {"Authorization": f"Bearer {adults.secrets[named]}"}
    api = [name for name in OURS if ALL_ROUTES[name].route.startswith("api/")]
    for _name, url in urls(api, adults.worlds[named]):
        response = client.get(url, headers=headers)
        text = body(response)
        assert not [word for word in words(adults, named) if word in text], url


@pytest.mark.parametrize("named", NAMED)
def test_the_adult_named_is_sent_nothing_about_it(adults, named):
    person = adults.people[named]
    reference = adults.concerns[named].reference
    assert not Notification.objects.filter(
        user=person, message__contains=reference
    ).exists()
    assert not Notification.objects.filter(
        user=person, task__concern=adults.concerns[named]
    ).exists()


def test_every_concern_here_is_about_an_adult(adults):
    assert {c.route for c in adults.concerns.values()} == {Concern.Route.HEAD}


# The permission matrix, for a concern about an adult: every URL about a concern
# (its page, its task and the task's actions, its file entry, restricting it)
# refuses the adult named, whatever their role, and lets its case manager in.
# ("entry" is a file entry only beside a pupil: the roll import's preview takes a
# different token under that name.)
ABOUT_A_CONCERN = sorted(
    name
    for name, rule in RULES.items()
    if set(rule.on) & {"concern", "task"} or {"pupil", "entry"} <= set(rule.on)
)


@pytest.mark.parametrize("named", NAMED)
def test_the_matrix_refuses_the_adult_named_every_url_about_it(adults, named):
    client = adults.clients[named]
    wrong = []
    for name in ABOUT_A_CONCERN:
        rule = RULES[name]
        url = url_for(ALL_ROUTES[name], adults.worlds[named], rule.on)
        for method, declared in (("get", rule.get), ("post", rule.post)):
            got, detail = fetch(client, method, url)
            allowed = {DENY, NOT_ALLOWED} if declared == NOT_ALLOWED else {DENY}
            if got not in allowed:
                wrong.append(f"{method.upper()} {url}: {got} {detail}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("named", NAMED)
def test_the_case_manager_opens_and_claims_it(adults, named):
    client = adults.clients[MANAGER.get(named, "head")]
    world = adults.worlds[named]
    for name, method in (
        ("workflows:casework_concern", "get"),
        ("workflows:casework_task", "get"),
        ("workflows:task_claim", "post"),
    ):
        url = url_for(ALL_ROUTES[name], world, RULES[name].on)
        assert fetch(client, method, url)[0] == ALLOW, (name, url)
