"""Closing with sign-off, as the closing DSL and the second DSL see it."""

import pytest

from records.models import Concern
from workflows import services
from workflows.models import CaseTask

from ..builders import RATIONALE, claim, decide, open_task, triage

pytestmark = pytest.mark.django_db
TASK_URL = "/admin/casework/tasks/{}/"
QUEUE = "/admin/casework/team-queue/"


def _closed_with_sign_off(submit, dsl, verified_client):
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, outcome="monitor", agencies=())
    task = claim(concern, "close", dsl)
    client = verified_client(dsl)
    response = client.post(
        TASK_URL.format(task.pk),
        {
            "outcome_summary": "Monitored for six weeks; no further incidents.",
            "rationale": RATIONALE,
            "needs_sign_off": "on",
        },
        follow=True,
    )
    return concern, client, response.content.decode()


def test_closing_with_sign_off_says_it_waits_for_the_second_dsl(
    submit, dsl, deputy, verified_client
):
    concern, _client, page = _closed_with_sign_off(submit, dsl, verified_client)

    concern.refresh_from_db()
    assert concern.status == Concern.Status.IN_PROGRESS
    assert f"{concern.reference} closed." not in page
    assert (
        f"{concern.reference} sent for sign-off: it is not closed until a "
        "second DSL signs it off" in page
    )


def test_closing_without_sign_off_still_says_closed(submit, dsl, verified_client):
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, outcome="monitor", agencies=())
    task = claim(concern, "close", dsl)
    response = verified_client(dsl).post(
        TASK_URL.format(task.pk),
        {
            "outcome_summary": "Monitored for six weeks; no further incidents.",
            "rationale": RATIONALE,
        },
        follow=True,
    )

    assert f"{concern.reference} closed." in response.content.decode()


def _claim_forms(page, task):
    return page.count(TASK_URL.format(task.pk) + "claim/")


def test_the_closing_dsl_is_not_offered_claim_on_their_own_sign_off(
    submit, dsl, deputy, verified_client
):
    concern, client, _page = _closed_with_sign_off(submit, dsl, verified_client)
    sign_off = open_task(concern, "sign_off")

    own_queue = client.get(QUEUE).content.decode()
    assert concern.reference in own_queue
    assert _claim_forms(own_queue, sign_off) == 0
    assert "You closed it: another DSL signs off." in own_queue
    task_page = client.get(TASK_URL.format(sign_off.pk)).content.decode()
    assert "Claim this task" not in task_page
    assert "another DSL in the team signs off the closure" in task_page

    refused = client.post(TASK_URL.format(sign_off.pk) + "claim/", follow=True)
    assert "You cannot take this task." in refused.content.decode()
    assert CaseTask.objects.get(pk=sign_off.pk).owner is None

    deputy_queue = verified_client(deputy).get(QUEUE).content.decode()
    assert _claim_forms(deputy_queue, sign_off) == 1
    services.task_claim(task=sign_off, user=deputy)
    assert CaseTask.objects.get(pk=sign_off.pk).owner == deputy
