"""The report page's number of queries does not grow with the data; the benchmark
command runs (timings are printed, not tested)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.builders import concern_row, flag_row

from .conftest import PERIOD, REPORTS, SUBJECT, category

pytestmark = pytest.mark.django_db

# The whole response: the session, two-factor and the admin's menu (other apps' items)
# take about half; the report's own tables are counted separately below. The tables
# read from the pre-counted figures take one more query each for a viewer with
# concerns to add or take away (this head case-manages a concern about an adult):
# each over those few concerns only, and as many at any size.
MAX_QUERIES = 70
# Read from the concerns: the six live tables, one query saying whether the viewer
# has concerns to add to or take from the pre-counted figures (this head has one
# about an adult), and then one per table read from the figures over those few.
MAX_REPORT_QUERIES = 18


def _more(school, staff, count):
    from datetime import date

    from tests.factories import PupilFactory

    for index in range(count):
        child = PupilFactory(school=school)
        flag_row(child, "send", date(2026, 1, 1))
        concern_row(
            school=school,
            by=staff,
            category=category("neglect" if index % 2 else "bullying"),
            on=date(2026, 9, 1 + index % 28),
            children=[(child, SUBJECT)],
        )


def _count(client, **filters):
    """(all queries, queries over the case records) of one report page."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(REPORTS, {**PERIOD, **filters}).status_code == 200
    # A query about records is one reading a records table first (the menu's task
    # counts only look records up in a subquery, for restricted records).
    records = [
        q
        for q in captured
        if q["sql"].split(" FROM ", 1)[-1].lstrip().startswith('"records_')
    ]
    return len(captured), len(records)


@pytest.mark.parametrize("filters", [{}, {"group": "term"}])
def test_the_report_page_has_a_small_constant_number_of_queries(
    verified_client,
    django_assert_max_num_queries,
    seeded,
    school,
    staff,
    head,
    filters,
):
    client = verified_client(head)
    client.get(REPORTS)  # warm the session and caches
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(REPORTS, {**PERIOD, **filters})
    small = _count(client, **filters)
    assert small[1] <= MAX_REPORT_QUERIES
    _more(school, staff, 30)
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(REPORTS, {**PERIOD, **filters})
    assert _count(client, **filters) == small


def test_the_benchmark_command_runs_and_leaves_nothing_behind(capsys):
    from accounts.models import School
    from records.models import Concern

    before = Concern.objects.count(), School.objects.count()
    call_command("reports_benchmark", "--sizes", "30", "60")
    out = capsys.readouterr().out
    assert "30 concerns" in out and "60 concerns" in out
    assert "whole report" in out
    assert (Concern.objects.count(), School.objects.count()) == before
