"""Chasing an agency on an open referral, and ending the follow-up when the agency
never answers: "no response — escalated" (issue 21)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.models import ChainedLogEntry as LogEntry
from records.chronology import Filters, chronology
from records.models import Referral, ReferralContact

from .. import builders
from ..builders import decide, open_steps, triage

pytestmark = pytest.mark.django_db
TASK_URL = "/admin/casework/tasks/{}/"
SAID = "Phoned the MASH duty line: it is with a social worker, decision by Friday."
ESCALATION = (
    "No answer from MASH after three chases over a week; raised with the team "
    "manager under the local escalation procedure and asked for a decision."
)


def _follow_up(submit, dsl):
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, agencies=("csc",))
    task = builders.claim(concern, "follow_up", dsl)
    builders.respond(
        concern,
        "csc",
        dsl,
        complete=False,
        contacted_on=timezone.localdate(),
        method=Referral.Method.PHONE,
    )
    return concern, task


def _chase(client, task, key="7f1c2d9e-8e7b-4b61-9d7e-0a1b2c3d4e5f", **fields):
    when = timezone.localtime() - timedelta(minutes=5)
    data = {
        "contacted_on": timezone.localdate().isoformat(),
        "method": "phone",
        "chase_at": when.strftime("%Y-%m-%dT%H:%M"),
        "chase_method": "phone",
        "chase_spoke_to": "Duty social worker",
        "chase_said": SAID,
        "chase_key": key,
        "chase": "",
        **fields,
    }
    return client.post(TASK_URL.format(task.pk), data, follow=True)


def test_a_dsl_logs_a_chase_and_it_is_in_the_history_file_and_audit(
    submit, dsl, verified_client
):
    concern, task = _follow_up(submit, dsl)
    client = verified_client(dsl)

    page = _chase(client, task).content.decode()

    contact = ReferralContact.objects.get()
    assert (contact.recorded_by, contact.method, contact.spoke_to) == (
        dsl,
        "phone",
        "Duty social worker",
    )
    assert contact.summary == SAID
    assert "Contact with Children" in page and "logged. The task stays open." in page
    assert "follow_up" in open_steps(concern)
    assert SAID in page  # listed on the task page
    concern_page = client.get(f"/admin/casework/concerns/{concern.pk}/")
    assert SAID in concern_page.content.decode()
    child = builders.child_of(concern)
    entries = chronology(
        child, user=dsl, filters=Filters(kinds=frozenset({"referral"}))
    )
    assert [e.item for e in entries if e.kind == "contact"] == [contact]
    created = LogEntry.objects.get_for_object(contact).get()
    assert created.action == LogEntry.Action.CREATE and created.actor == dsl


def test_a_double_click_logs_one_chase(submit, dsl, verified_client):
    _concern, task = _follow_up(submit, dsl)
    client = verified_client(dsl)
    _chase(client, task)
    _chase(client, task)
    assert ReferralContact.objects.count() == 1


def test_a_chase_without_what_was_said_keeps_what_was_typed(
    submit, dsl, verified_client
):
    _concern, task = _follow_up(submit, dsl)
    page = _chase(
        verified_client(dsl), task, chase_said="", chase_spoke_to="Duty team"
    ).content.decode()
    assert "Nothing was saved" in page
    assert "Say what was said." in page
    assert 'value="Duty team"' in page
    assert not ReferralContact.objects.exists()


def test_a_chase_in_the_future_is_refused(submit, dsl, verified_client):
    _concern, task = _follow_up(submit, dsl)
    later = timezone.localtime() + timedelta(days=2)
    page = _chase(
        verified_client(dsl), task, chase_at=later.strftime("%Y-%m-%dT%H:%M")
    ).content.decode()
    assert "This time is in the future." in page
    assert not ReferralContact.objects.exists()


@pytest.mark.parametrize("role", [Role.DEPUTY_DSL, Role.STAFF, Role.HEAD])
def test_only_the_dsl_holding_the_follow_up_logs_a_chase(
    submit, dsl, make_member, verified_client, role
):
    _concern, task = _follow_up(submit, dsl)
    response = _chase(verified_client(make_member(role)), task)
    assert not ReferralContact.objects.exists()
    if role == Role.DEPUTY_DSL:
        assert "Claim this task before working on it." in response.content.decode()
    else:
        assert response.status_code == 404


def _no_response(client, task, **fields):
    data = {
        "contacted_on": timezone.localdate().isoformat(),
        "method": "phone",
        "agency_outcome": "no_response",
        "escalated_on": timezone.localdate().isoformat(),
        "escalated_to": "MASH team manager",
        "escalation_reason": ESCALATION,
        "complete": "",
        **fields,
    }
    return client.post(TASK_URL.format(task.pk), data, follow=True)


def test_no_response_escalated_ends_the_follow_up_so_the_concern_can_close(
    submit, dsl, verified_client
):
    concern, task = _follow_up(submit, dsl)
    client = verified_client(dsl)
    _chase(client, task)

    page = _no_response(client, task).content.decode()

    referral = Referral.objects.get()
    assert referral.agency_outcome == Referral.AgencyOutcome.NO_RESPONSE
    assert referral.escalated_to == "MASH team manager"
    assert referral.escalation_reason == ESCALATION
    assert referral.completed_by == dsl and referral.responded_on is None
    assert open_steps(concern) == ["close"]
    assert "No response — escalated" in page
    assert LogEntry.objects.get_for_object(referral).filter(actor=dsl).exists()


def test_no_response_needs_a_chase_first(submit, dsl, verified_client):
    concern, task = _follow_up(submit, dsl)
    page = _no_response(verified_client(dsl), task).content.decode()
    assert "Log your chase first" in page
    assert "follow_up" in open_steps(concern)
    assert Referral.objects.get().agency_outcome == ""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"escalation_reason": "Escalated."}, "Say more"),
        ({"escalation_reason": ""}, "Give the reason"),
        ({"escalated_to": ""}, "Say to whom you escalated it."),
        ({"escalated_on": ""}, "Say when you escalated it."),
    ],
)
def test_no_response_needs_the_escalation_and_a_real_reason(
    submit, dsl, verified_client, fields, message
):
    concern, task = _follow_up(submit, dsl)
    client = verified_client(dsl)
    _chase(client, task)
    page = _no_response(client, task, **fields).content.decode()
    assert message in page
    assert "follow_up" in open_steps(concern)
    assert Referral.objects.get().completed_at is None


def test_the_escalation_is_in_the_childs_file(submit, dsl, verified_client):
    concern, task = _follow_up(submit, dsl)
    client = verified_client(dsl)
    _chase(client, task)
    _no_response(client, task)
    child = builders.child_of(concern)
    page = client.get(f"/admin/files/{child.pk}/").content.decode()
    assert "No response — escalated" in page
    assert ESCALATION in page
    assert SAID in page
