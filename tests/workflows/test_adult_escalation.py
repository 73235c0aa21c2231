"""The clock escalates a late task to the heads: for a concern about an adult, to
its case manager, never to a head the concern names."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from workflows import services
from workflows.models import CaseTask, Notification

from .. import builders

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("named", ["head", "dsl"])
def test_a_late_concern_about_an_adult_is_escalated_to_its_case_manager(
    school, other_school, named
):
    head = builders.member(school, Role.HEAD)
    dsl = builders.member(school, Role.DSL)
    lead = builders.member(other_school, Role.HEAD)
    school.trust.nominated_lead = lead
    school.trust.save()
    adult = {"head": head, "dsl": dsl}[named]
    concern = builders.about(adult, by=builders.member(school, Role.STAFF))
    task = CaseTask.objects.get(concern=concern, flow_task_type="HUMAN")
    CaseTask.objects.filter(pk=task.pk).update(
        due_on=timezone.localdate() - timedelta(days=30)
    )
    services.clock_sweep(now=timezone.now())
    told = {n.user for n in Notification.objects.filter(task=task)}
    assert adult not in told
    assert told == ({lead} if named == "head" else {head})
