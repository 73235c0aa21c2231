"""The concern page's open tasks: their due dates ("Overdue" by working days for an
agency's follow-up or a chase) are read without a query per task."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from workflows import services

from ..builders import decide, triage

pytestmark = pytest.mark.django_db


def test_more_open_tasks_on_a_concern_cost_no_more_queries(
    submit, dsl, verified_client, django_assert_max_num_queries
):
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, agencies=("csc",))
    referral = concern.referrals.get()

    def add_action(**extra):
        services.action_create(
            concern=concern,
            description="Pastoral check-in",
            assigned_to=dsl,
            due_on=timezone.localdate() + timedelta(days=3),
            user=dsl,
            **extra,
        )

    add_action()
    client = verified_client(dsl)
    url = reverse("workflows:casework_concern", args=[concern.pk])
    client.get(url)
    with django_assert_max_num_queries(200) as few:
        assert client.get(url).status_code == 200
    budget = len(few)

    for _ in range(3):
        add_action()
        add_action(referral=referral)  # a chase, late by working days
    client.get(url)
    with django_assert_max_num_queries(budget):
        page = client.get(url)
    assert page.status_code == 200
    assert len(page.context["open_tasks"]) == 1 + 1 + 6  # follow-up, actions
