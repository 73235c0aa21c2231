"""The report's queries are served from an index at any size.

The figures (reports.models.ConcernFigure) are read through their unique index,
which leads with the dimension, then the school and the day; the category filter
reads the concerns through the (reporting_category, occurred_on) index, where it used
to find each concern's latest triage with an anti-join. As in test_query_plans.py:
on PostgreSQL (the CI run) the plans are checked with sequential scans discouraged,
so the small test tables do not hide a shape no index fits; on SQLite the indexes
are checked to exist and the queries to answer.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from reports import selectors
from reports.filters import MONTH, Period, ReportParams
from reports.models import ConcernFigure
from reports.queries import counters, report_concerns
from taxonomy.models import Vocabulary

from .. import builders

pytestmark = pytest.mark.django_db

FIGURE_INDEX = "unique_concern_figure"


def _params(school, categories=()):
    today = timezone.localdate()
    period = Period(start=today - timedelta(days=60), end=today)
    return ReportParams(
        period=period,
        previous=period.before(),
        grouping=MONTH,
        schools=[school],
        categories=list(categories),
    )


def _indexes(table):
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


def _plan(sql, params):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def reported(school, staff, dsl):
    for category in ("bullying", "neglect", "bullying"):
        builders.concern(by=staff, school=school, category=category)
    return dsl


def test_the_report_reads_its_figures_through_their_index(reported, school):
    assert FIGURE_INDEX in _indexes(ConcernFigure._meta.db_table)
    params = _params(school)
    concerns = report_concerns(selectors.concerns_for_reports(reported), params)
    counter = counters.counter_for(concerns, params, viewer=reported)
    category = counters.Dimension.CATEGORY
    grouped = counter.rows(category, lambda c: {"category": c.key(category)})
    assert isinstance(counter, counters.FigureCounter)
    assert sorted(row["current"] for row in grouped) == [1, 2]
    if connection.vendor != "postgresql":
        return
    query = (
        ConcernFigure.objects.filter(
            dimension=counters.Dimension.CATEGORY,
            school__in=[school.pk],
            day__range=params.covering,
        )
        .values("key")
        .order_by()
    )
    plan = _plan(*query.query.sql_with_params())
    # Through an index (at this size the planner may take the school's own index
    # or the unique one that leads with the school), never a scan of every figure.
    assert "Index" in plan and "reports_concernfigure" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_the_category_filter_reads_one_indexed_column(reported, school):
    index = [
        name
        for name, details in _indexes("records_concern").items()
        if details["columns"] == ["reporting_category_id", "occurred_on"]
    ]
    assert index
    bullying = builders.term(Vocabulary.CATEGORY, "bullying")
    params = _params(school, [bullying])
    concerns = report_concerns(selectors.concerns_for_reports(reported), params)
    assert concerns.count() == 2
    if connection.vendor != "postgresql":
        return
    plan = _plan(*concerns.values("pk").query.sql_with_params())
    # No anti-join over the triages any more, and the concerns come from an index.
    assert "records_triage" not in plan, plan
    assert "Seq Scan on records_concern" not in plan, plan
