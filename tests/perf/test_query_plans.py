"""The queries every casework page runs can be served from an index.

The menu's counts and the team queue used to read every task row of the user's
schools (done ones included) because their permission test was an OR of
IN-subqueries; now they start from the index of open human tasks (workflows
migration 0007). On PostgreSQL (the CI run) the
plans are checked with sequential scans discouraged, so the test data's small
tables do not hide a shape no index fits; on SQLite the index is checked to exist.
"""

import pytest
from django.db import connection

from accounts.models import Role
from workflows import selectors

from .. import builders

pytestmark = pytest.mark.django_db

OPEN_TASK_INDEX = "workflows_open_human_task_idx"


@pytest.fixture
def lead(school, other_school):
    lead = builders.member(school, Role.DSL, others=[(other_school, Role.DSL)])
    staff = builders.member(school, Role.STAFF)
    for number in range(3):
        concern = builders.concern(by=staff, school=school)
        if number == 0:
            builders.claim(concern, "triage", lead)
    return lead


def _plan(queryset):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def test_open_tasks_are_found_through_the_open_task_index(lead):
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "viewflow_task")
    assert OPEN_TASK_INDEX in indexes

    queue = selectors.team_queue(lead)
    mine = selectors.my_tasks(lead)
    assert (queue.count(), mine.count()) == (2, 1)
    if connection.vendor != "postgresql":
        return
    for queryset in (
        queue,
        mine,
        queue.order_by().values("pk")[: selectors.MENU_COUNT_CAP + 1],
    ):
        plan = _plan(queryset)
        # Open tasks come from the open-task index, never from reading the table.
        assert OPEN_TASK_INDEX in plan, plan
        assert "Seq Scan" not in plan, plan
