"""Workflow status: the median time from submission to triage is the middle of the
concerns that reached it, worked out in the database on PostgreSQL and in Python on
SQLite, with the same answer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from records.models import Concern, Triage
from workflows.status import Period, overview

from ..builders import concern, triage

pytestmark = pytest.mark.django_db


def test_the_median_wait_for_triage_counts_only_concerns_triaged(school, staff, dsl):
    submitted = timezone.now() - timedelta(days=1)
    waits = {}
    for hours in (1, 2, 3, 7):
        made = concern(by=staff, school=school)
        triage(made, dsl)
        waits[made.pk] = hours
    concern(by=staff, school=school)  # still waiting: not in the median
    Concern.objects.update(submitted_at=submitted)
    for triaged in Triage.objects.all():
        Triage.objects.filter(pk=triaged.pk).update(
            triaged_at=submitted + timedelta(hours=waits[triaged.concern_id])
        )
    today = timezone.localdate()
    figures = overview(
        user=dsl, period=Period(start=today - timedelta(days=7), end=today)
    )
    _label, middle, reached = figures["medians"][0]
    # Four concerns triaged after 1, 2, 3 and 7 hours: the middle is 2.5 hours.
    assert (middle, reached) == (timedelta(hours=2, minutes=30), 4)
    assert figures["medians"][1][1:] == (None, 0)  # nothing decided yet
