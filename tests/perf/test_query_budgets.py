"""The casework pages cost the same number of queries whatever the number of rows:
a DSL working two schools, with a restricted file at one of them, sees the same
query count on the dashboard, My tasks, the Team queue and Children's files with
four concerns as with sixteen at the same two schools. (Speed itself is measured
by `make bench`, not tested: a query count is what a test can hold steady.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from records.restrictions import services as restrictions
from workflows import selectors

from .. import builders

pytestmark = pytest.mark.django_db

PAGES = (
    "/admin/",
    "workflows:my_tasks",
    "workflows:team_queue",
    "records_admin:file_list",
)


@pytest.fixture
def trust(school, other_school):
    """A trust DSL (DSL at both schools), a deputy who is not named on a
    restriction, and a member of staff at each school reporting concerns."""
    lead = builders.member(school, Role.DSL, others=[(other_school, Role.DSL)])
    deputy = builders.member(school, Role.DEPUTY_DSL)
    reporters = {s: builders.member(s, Role.STAFF) for s in (school, other_school)}
    restricted = builders.concern(by=reporters[school], school=school)
    restrictions.restriction_set(
        obj=builders.child_of(restricted),
        user=lead,
        reason="An allegation about a member of staff who is close to the child.",
        people=[lead],
    )
    return lead, deputy, reporters


def _report(reporters, how_many, claim_by):
    for number in range(how_many):
        at = list(reporters)[number % 2]
        concern = builders.concern(by=reporters[at], school=at)
        if number % 3 == 0:
            builders.claim(concern, "triage", claim_by)


def _queries(client):
    counts = {}
    for name in PAGES:
        url = name if name.startswith("/") else reverse(name)
        client.get(url)  # warm: a first request fills per-process caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[name] = len(queries)
    return counts


def test_casework_pages_cost_the_same_queries_for_more_rows(trust, verified_client):
    lead, _deputy, reporters = trust
    _report(reporters, 4, claim_by=lead)  # claimed: one at each school
    client = verified_client(lead)
    few = _queries(client)

    _report(reporters, 12, claim_by=lead)
    many = _queries(client)

    assert many == few
    queue = client.get(reverse("workflows:team_queue"))
    assert len(queue.context["page_obj"].object_list) == 17 - 6  # 6 were claimed


def test_the_menu_counts_are_capped_and_leave_out_restricted_work(
    trust, verified_client, monkeypatch
):
    lead, deputy, reporters = trust
    _report(reporters, 4, claim_by=lead)
    monkeypatch.setattr(selectors, "MENU_COUNT_CAP", 2)

    lead_menu = verified_client(lead).get("/admin/").content.decode()
    assert "Team queue (2+)" in lead_menu
    assert "My tasks (2)" in lead_menu

    # The deputy works the first school only: of its three concerns one is about
    # the restricted child (hidden from them) and one was claimed.
    counts = selectors.menu_counts(deputy)
    assert (counts["queue"], counts["mine"]) == (1, 0)
    assert selectors.team_queue(deputy).count() == 1
