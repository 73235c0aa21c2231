"""The worker an agency allocates, offered as a key person on the child's file
when the response is recorded: one tick (issue 21)."""

import pytest
from django.utils import timezone

from audit.models import ChainedLogEntry as LogEntry
from records.models import InvolvementRole, KeyPerson, Referral

from .. import builders
from ..builders import decide, open_steps, triage

pytestmark = pytest.mark.django_db
TASK_URL = "/admin/casework/tasks/{}/"


@pytest.fixture
def follow_up(school, staff, dsl):
    child = builders.pupil(school, first_name="Ruby", last_name="Ashdown")
    witness = builders.pupil(school, first_name="Omar", last_name="Fenwick")
    concern = builders.concern(
        by=staff,
        children=[(child, InvolvementRole.SUBJECT), (witness, InvolvementRole.WITNESS)],
    )
    triage(concern, dsl)
    decide(concern, dsl, agencies=("csc",))
    task = builders.claim(concern, "follow_up", dsl)
    return concern, task, child, witness


def _respond(client, task, **fields):
    today = timezone.localdate().isoformat()
    data = {
        "contacted_on": today,
        "method": "phone",
        "responded_on": today,
        "agency_outcome": "assessment",
        "response": "Accepted for a child and family assessment.",
        "worker_name": "Jo Okafor",
        "worker_phone": "01632 960000",
        "complete": "",
        **fields,
    }
    return client.post(TASK_URL.format(task.pk), data, follow=True)


def test_the_page_offers_the_concerns_child_not_a_witness(
    follow_up, dsl, verified_client
):
    _concern, task, child, witness = follow_up
    page = verified_client(dsl).get(TASK_URL.format(task.pk)).content.decode()
    offer = page.split("data-worker")[1].split("</fieldset>")[0]
    assert "Add this worker as a key person on the file of" in offer
    assert f'value="{child.pk}"' in offer and "Ruby Ashdown" in offer
    assert f'value="{witness.pk}"' not in offer and "Omar Fenwick" not in offer


def test_one_tick_adds_the_social_worker_to_the_childs_key_people(
    follow_up, dsl, verified_client
):
    concern, task, child, witness = follow_up
    _respond(verified_client(dsl), task, key_person_for=[child.pk])

    person = KeyPerson.objects.get()
    assert (person.pupil, person.role, person.name) == (
        child,
        KeyPerson.Role.SOCIAL_WORKER,
        "Jo Okafor",
    )
    assert person.organisation == "Children's social care / MASH"
    assert person.phone == "01632 960000"
    assert person.recorded_by == dsl
    assert LogEntry.objects.get_for_object(person).get().actor == dsl
    assert not witness.key_people.exists()
    assert open_steps(concern) == ["close"]
    assert Referral.objects.get().worker_name == "Jo Okafor"


def test_without_the_tick_no_key_person_is_added(follow_up, dsl, verified_client):
    _concern, task, _child, _witness = follow_up
    _respond(verified_client(dsl), task)
    assert not KeyPerson.objects.exists()
    assert Referral.objects.get().completed_at is not None


def test_a_tick_without_a_name_saves_nothing(follow_up, dsl, verified_client):
    concern, task, child, _witness = follow_up
    page = _respond(
        verified_client(dsl), task, worker_name="", key_person_for=[child.pk]
    ).content.decode()
    assert "Give the worker&#x27;s name" in page or "Give the worker's name" in page
    assert not KeyPerson.objects.exists()
    assert "follow_up" in open_steps(concern)


def test_the_same_worker_is_not_added_twice(follow_up, dsl, verified_client):
    _concern, task, child, _witness = follow_up
    builders.key_person(child, dsl, role=KeyPerson.Role.SOCIAL_WORKER, name="Jo Okafor")
    _respond(verified_client(dsl), task, key_person_for=[child.pk])
    assert KeyPerson.objects.filter(pupil=child).count() == 1


def test_a_child_of_another_concern_cannot_be_posted(
    follow_up, school, dsl, verified_client
):
    concern, task, _child, _witness = follow_up
    stranger = builders.pupil(school)
    _respond(verified_client(dsl), task, key_person_for=[stranger.pk])
    assert not KeyPerson.objects.exists()
    assert "follow_up" in open_steps(concern)
