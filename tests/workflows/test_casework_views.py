"""The casework pages: who may open them, what they show, what they refuse."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from records.models import Concern
from workflows import services
from workflows.models import CaseTask

from ..builders import open_task, triage

TASK_URL = "/admin/casework/tasks/{}/"
QUEUE = "/admin/casework/team-queue/"
MINE = "/admin/casework/my-tasks/"
STATUS = "/admin/casework/status/"
RATIONALE = (
    "We spoke to Ava and to her mother; the bruise matches her account of a fall "
    "in PE and there is no other worry on file."
)


@pytest.fixture
def concern(submit):
    return submit()


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEAD, Role.CONFIGURATOR])
def test_people_outside_the_dsl_team_cannot_open_its_tasks(
    concern, make_member, verified_client, role
):
    task = open_task(concern, "triage")
    client = verified_client(make_member(role))
    assert client.get(TASK_URL.format(task.pk)).status_code == 404
    assert client.post(TASK_URL.format(task.pk) + "claim/").status_code == 404
    assert client.get(f"/admin/casework/concerns/{concern.pk}/").status_code == 404
    page = client.get(MINE).content.decode()
    assert concern.reference not in page


def test_a_dsl_of_another_school_cannot_open_the_task(
    concern, make_member, other_school, verified_client
):
    task = open_task(concern, "triage")
    client = verified_client(make_member(Role.DSL, at=other_school))
    assert client.get(TASK_URL.format(task.pk)).status_code == 404
    assert concern.reference not in client.get(QUEUE).content.decode()


def test_staff_and_heads_get_no_team_queue(make_member, verified_client):
    for role in (Role.STAFF, Role.CONFIGURATOR):
        response = verified_client(make_member(role)).get(QUEUE)
        assert response.status_code in (302, 403)


def test_the_dsl_claims_from_the_queue_and_triages_on_the_page(
    concern, dsl, verified_client
):
    client = verified_client(dsl)
    task = open_task(concern, "triage")
    queue = client.get(QUEUE).content.decode()
    assert concern.reference in queue and "Claim" in queue
    response = client.post(TASK_URL.format(task.pk) + "claim/", follow=True)
    assert "The task is yours." in response.content.decode()
    page = client.get(TASK_URL.format(task.pk)).content.decode()
    assert concern.what_happened.replace("'", "&#x27;") in page
    assert "Complete triage" in page

    bad = client.post(
        TASK_URL.format(task.pk),
        {
            "primary_category": concern.primary_category_id,
            "risk_level": "high",
            "risk_reason": "bad",
            "actions_needed": "Call mum after school",
        },
    )
    text = bad.content.decode()
    assert bad.status_code == 200
    assert "Call mum after school" in text  # what was typed is kept
    assert "Say more" in text
    involvement = concern.involvements.get()
    done = client.post(
        TASK_URL.format(task.pk),
        {
            "primary_category": concern.primary_category_id,
            "risk_level": "high",
            "risk_reason": "Third push this week, now with an injury.",
            f"role_{involvement.pk}": "subject",
        },
        follow=True,
    )
    page = done.content.decode()
    assert f"Triage recorded for {concern.reference}." in page
    assert "Next: Decision — it is yours now" in page  # the same DSL goes on
    assert "Decide, with rationale" in page
    assert concern.triages.get().risk_level == "high"
    assert open_task(concern, "decide").owner == dsl


def test_a_second_claim_is_told_who_has_it(concern, dsl, deputy, verified_client):
    task = open_task(concern, "triage")
    services.task_claim(task=task, user=dsl)
    response = verified_client(deputy).post(
        TASK_URL.format(task.pk) + "claim/", follow=True
    )
    assert f"{dsl.get_full_name()} claimed this task first." in (
        response.content.decode()
    )
    assert CaseTask.objects.get(pk=task.pk).owner == dsl


def test_only_the_holder_can_complete_a_task(concern, dsl, deputy, verified_client):
    task = open_task(concern, "triage")
    services.task_claim(task=task, user=dsl)
    response = verified_client(deputy).post(
        TASK_URL.format(task.pk),
        {
            "primary_category": concern.primary_category_id,
            "risk_level": "low",
            "risk_reason": "Nothing suggests harm; a one-off.",
        },
        follow=True,
    )
    assert "Claim this task before working on it." in response.content.decode()
    assert not concern.triages.exists()


def test_the_decision_form_keeps_what_was_typed_when_the_reason_is_boilerplate(
    concern, dsl, verified_client
):
    triage(
        concern,
        dsl,
        "low",
        category=concern.primary_category,
        risk_reason="A single fall in PE, explained by the child.",
    )
    task = services.task_claim(task=open_task(concern, "decide"), user=dsl)
    client = verified_client(dsl)
    response = client.post(
        TASK_URL.format(task.pk),
        {"outcome": "nfa", "rationale": "NFA", "consulted": "Mrs Patel, class teacher"},
    )
    text = response.content.decode()
    assert "is not a reason" in text
    assert "Mrs Patel, class teacher" in text
    assert not concern.decisions.exists()
    client.post(
        TASK_URL.format(task.pk),
        {"outcome": "nfa", "rationale": RATIONALE, "consulted": "Mrs Patel"},
    )
    assert concern.decisions.get().rationale == RATIONALE


def test_a_person_given_an_action_sees_the_action_not_the_record(
    concern, dsl, staff, verified_client
):
    action = services.action_create(
        concern=concern,
        description="Check in with Ava at lunch",
        assigned_to=staff,
        due_on=timezone.localdate() + timedelta(days=2),
        user=dsl,
    )
    task = CaseTask.objects.get(action=action, flow_task_type="HUMAN")
    client = verified_client(staff)
    assert "My tasks (1)" in client.get("/admin/").content.decode()
    page = client.get(TASK_URL.format(task.pk)).content.decode()
    assert "Check in with Ava at lunch" in page
    assert concern.what_happened[:20] not in page
    client.post(TASK_URL.format(task.pk), {"note": "Talked at lunch; she is fine."})
    action.refresh_from_db()
    assert action.completed_at is not None


def test_reading_a_concern_is_in_the_audit_log(concern, dsl, verified_client):
    from auditlog import get_logentry_model

    verified_client(dsl).get(f"/admin/casework/concerns/{concern.pk}/")
    access = get_logentry_model().objects.get_for_object(concern).filter(action=3)
    assert access.filter(actor=dsl).exists()


def test_the_status_page_shows_where_each_concern_is_without_content(
    submit, make_member, verified_client
):
    head = make_member(Role.HEAD)
    concern = submit()
    page = verified_client(head).get(STATUS).content.decode()
    assert f'data-concern-row="{concern.reference}"' in page
    assert "Triage" in page
    assert concern.what_happened[:20] not in page


def test_staff_cannot_see_the_status_page(staff, verified_client):
    assert verified_client(staff).get(STATUS).status_code in (302, 403)


def test_queue_filters(submit, dsl, verified_client):
    urgent = submit(immediate_risk=True)
    calm = submit()
    client = verified_client(dsl)
    page = client.get(QUEUE, {"urgent": "on"}).content.decode()
    assert urgent.reference in page and calm.reference not in page
    page = client.get(QUEUE, {"step": "decide"}).content.decode()
    assert "No tasks match these filters." in page
    page = client.get(QUEUE, {"step": "nonsense", "school": "x"}).content.decode()
    assert urgent.reference in page  # a bad filter is ignored, not a 500


def _fill(submit, count, dsl):
    for index in range(count):
        concern = submit(immediate_risk=index % 3 == 0)
        if index % 2:
            services.task_claim(task=open_task(concern, "triage"), user=dsl)


def test_queue_and_status_queries_stay_flat_from_10_to_1000_tasks(
    submit, dsl, verified_client, django_assert_max_num_queries
):
    client = verified_client(dsl)
    _fill(submit, 10, dsl)
    budgets = {}
    for url in (QUEUE, MINE, STATUS, "/admin/"):
        client.get(url)
        with django_assert_max_num_queries(60) as few:
            assert client.get(url).status_code == 200
        budgets[url] = len(few)
    _fill(submit, 990, dsl)
    assert CaseTask.objects.filter(flow_task_type="HUMAN").count() == 1000
    for url, budget in budgets.items():
        # Filling took longer than the session's activity resolution: the first
        # request rewrites the session (SessionTimeoutMiddleware), as any would
        # after half a minute. The budget is for the page, measured warm.
        client.get(url)
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200


def test_a_concern_about_an_adult_is_worked_by_the_head(
    submit, make_member, dsl, verified_client
):
    head = make_member(Role.HEAD)
    concern = submit(route=Concern.Route.HEAD)
    task = open_task(concern, "review_low_level")
    assert verified_client(dsl).get(TASK_URL.format(task.pk)).status_code == 404
    page = verified_client(head).get(QUEUE).content.decode()
    assert concern.reference in page


def test_the_dashboard_counts_the_dsls_queue_and_the_heads_open_work(
    submit, dsl, make_member, verified_client
):
    head = make_member(Role.HEAD)
    submit(immediate_risk=True)
    submit()
    page = verified_client(dsl).get("/admin/").content.decode()
    assert "2 tasks waiting to be claimed" in page and "1 urgent" in page
    page = verified_client(head).get("/admin/").content.decode()
    assert "2 open concerns" in page


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEAD, Role.CONFIGURATOR])
def test_every_casework_post_refuses_people_outside_the_team(
    concern, dsl, make_member, verified_client, role
):
    task = services.task_claim(task=open_task(concern, "triage"), user=dsl)
    outsider = make_member(role)
    client = verified_client(outsider)
    base = TASK_URL.format(task.pk)
    for url, data in [
        (base, {"risk_level": "low", "risk_reason": "x" * 50}),
        (base + "release/", {}),
        (base + "reassign/", {"to": outsider.pk}),
        (f"/admin/casework/concerns/{concern.pk}/", {"description": "x"}),
        (f"/admin/casework/concerns/{concern.pk}/reopen/", {"reason": "x"}),
    ]:
        assert client.post(url, data).status_code == 404, url
    task.refresh_from_db()
    assert task.owner == dsl and not concern.triages.exists()
    assert not concern.actions.exists()


def test_release_and_hand_over_within_the_team(
    concern, dsl, deputy, make_member, other_school, verified_client
):
    task = services.task_claim(task=open_task(concern, "triage"), user=dsl)
    client = verified_client(dsl)
    stranger = make_member(Role.DSL, at=other_school)
    response = client.post(
        TASK_URL.format(task.pk) + "reassign/", {"to": stranger.pk}, follow=True
    )
    assert "Choose someone in the team." in response.content.decode()
    response = client.post(
        TASK_URL.format(task.pk) + "reassign/", {"to": deputy.pk}, follow=True
    )
    assert f"Handed to {deputy}" in response.content.decode()
    task.refresh_from_db()
    assert task.owner == deputy
    verified_client(deputy).post(TASK_URL.format(task.pk) + "release/")
    task.refresh_from_db()
    assert task.owner is None and task.status == "NEW"


def test_a_second_submit_of_a_done_step_says_it_is_done(concern, dsl, verified_client):
    task = services.task_claim(task=open_task(concern, "triage"), user=dsl)
    client = verified_client(dsl)
    data = {
        "primary_category": concern.primary_category_id,
        "risk_level": "low",
        "risk_reason": "A single fall in PE, explained by the child.",
        f"role_{concern.involvements.get().pk}": "subject",
    }
    first = client.post(TASK_URL.format(task.pk), data)
    assert first.status_code == 302
    again = client.post(TASK_URL.format(task.pk), data, follow=True)
    assert again.status_code == 200
    assert f"Triage for {concern.reference} is already done" in again.content.decode()
    assert concern.triages.count() == 1


def test_dsls_do_not_see_concerns_about_adults_on_the_status_page(
    submit, dsl, make_member, verified_client
):
    head = make_member(Role.HEAD)
    about_adult = submit(route=Concern.Route.HEAD)
    about_child = submit()
    page = verified_client(dsl).get(STATUS).content.decode()
    assert about_child.reference in page and about_adult.reference not in page
    page = verified_client(head).get(STATUS).content.decode()
    assert about_child.reference in page and about_adult.reference in page


def test_odd_query_parameters_do_not_break_pages(dsl, verified_client):
    client = verified_client(dsl)
    for url in [
        "/admin/casework/settings/?school=abc",
        "/admin/casework/settings/?school=99999",
        STATUS + "?from=2026-13-45&to=yesterday",
        QUEUE + "?page=-1&school=%00",
        MINE + "?category=abc&assignee=1e9",
    ]:
        assert client.get(url).status_code == 200, url


def test_a_double_click_on_add_action_makes_one_action(
    concern, dsl, staff, verified_client
):
    import uuid

    client = verified_client(dsl)
    data = {
        "description": "Check in with Ava on Friday",
        "assigned_to": staff.pk,
        "due_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        "submission_key": str(uuid.uuid4()),
    }
    url = f"/admin/casework/concerns/{concern.pk}/"
    client.post(url, data)
    client.post(url, data)
    assert concern.actions.count() == 1
    assert CaseTask.objects.filter(action__concern=concern, owner=staff).count() == 1


def test_opening_a_notification_marks_it_read_and_follows_its_link(
    submit, dsl, make_member, verified_client
):
    submit()
    note = dsl.notifications.get()
    client = verified_client(dsl)
    assert "Notifications (1)" in client.get("/admin/").content.decode()
    response = client.get(f"/admin/casework/notifications/{note.pk}/")
    assert response.status_code == 302 and response.url == QUEUE
    note.refresh_from_db()
    assert note.read_at is not None
    someone_else = make_member(Role.DSL)
    other = verified_client(someone_else).get(
        f"/admin/casework/notifications/{note.pk}/"
    )
    assert other.status_code == 404
