"""Task counts for the DSL's own client: the figures the menu and dashboard show,
for the teams the user is in, at their schools."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Role
from api.models import Scope
from records.models import Concern
from workflows.models import CaseTask
from workflows.services import task_claim


def counts(as_user, user):
    return as_user(user, Scope.TASKS).get("/tasks/counts").json()


def test_a_dsl_sees_her_teams_queue_and_her_own_tasks(as_user, dsl, submit):
    submit(immediate_risk=True)
    submit()
    held = submit()
    task = CaseTask.objects.get(
        concern=held, flow_task_type="HUMAN", status__in=["NEW", "ASSIGNED"]
    )
    task_claim(task=task, user=dsl)
    # A week back is late at any hour of any day (the clock runs from 08:00 on
    # working days: a day back is not yet late on a Saturday or at 07:00).
    CaseTask.objects.filter(owner=dsl).update(
        due_on=timezone.localdate() - timedelta(days=7)
    )

    assert counts(as_user, dsl) == {
        "my_tasks": 1,
        "my_tasks_urgent": 0,
        "my_tasks_overdue": 1,
        "team_queue": 2,
        "team_queue_urgent": 1,
        "team_queue_overdue": 0,
    }


def test_staff_have_no_team_queue(as_user, staff, submit):
    submit(immediate_risk=True)
    assert counts(as_user, staff) == {
        "my_tasks": 0,
        "my_tasks_urgent": 0,
        "my_tasks_overdue": 0,
        "team_queue": None,
        "team_queue_urgent": None,
        "team_queue_overdue": None,
    }


def test_another_schools_dsl_counts_nothing_here(
    as_user, make_member, other_school, submit
):
    submit(immediate_risk=True)
    elsewhere = make_member(Role.DSL, at=other_school)
    assert counts(as_user, elsewhere)["team_queue"] == 0


def test_a_head_counts_concerns_about_adults_and_the_dsls_do_not(
    as_user, make_member, dsl, submit
):
    head = make_member(Role.HEAD)
    submit(route=Concern.Route.HEAD)
    assert counts(as_user, head)["team_queue"] == 1
    assert counts(as_user, dsl)["team_queue"] == 0


def test_counts_take_a_constant_number_of_queries(
    as_user, dsl, submit, django_assert_max_num_queries
):
    client = as_user(dsl, Scope.TASKS)
    for _ in range(3):
        submit()
    # 18: the token and its user, then the user's reach (memberships, the
    # concerns kept from them by restrictions and conflicts of interest, whether
    # they manage a concern about an adult) and the two counts.
    with django_assert_max_num_queries(18):
        client.get("/tasks/counts")
    for _ in range(5):
        submit()
    with django_assert_max_num_queries(18):
        assert client.get("/tasks/counts").json()["team_queue"] == 8
