"""A submitted concern with its process started, and a DSL team to work it."""

import uuid

import pytest
from django.utils import timezone

from accounts.models import Role
from records.models import Concern, InvolvementRole
from records.services import Involvement, concern_submit
from taxonomy.models import Term, Vocabulary
from workflows.models import CaseTask

from ..factories import PupilFactory


def term(vocabulary, key):
    return Term.objects.get(vocabulary=vocabulary, key=key)


@pytest.fixture
def submit(school, staff):
    """submit(**overrides) -> a concern as a member of staff reports it."""

    def make(at=None, immediate_risk=False, route=Concern.Route.DSL_TEAM, by=None):
        at = at or school
        child = PupilFactory(school=at)
        concern, _created = concern_submit(
            school=at,
            recorded_by=by or staff,
            submission_key=uuid.uuid4(),
            involvements=[Involvement(pupil=child, role=InvolvementRole.SUBJECT)],
            primary_category=term(Vocabulary.CATEGORY, "bullying"),
            location=term(Vocabulary.LOCATION, "playground"),
            route=route,
            form_title="General concern",
            occurred_on=timezone.localdate(),
            what_happened="Ava said he pushed her off the climbing frame again.",
            child_voice="'I don't want to go outside at lunch.'",
            immediate_risk=immediate_risk,
        )
        return concern

    return make


@pytest.fixture
def deputy(make_member):
    return make_member(Role.DEPUTY_DSL)


@pytest.fixture
def head(make_member):
    return make_member(Role.HEAD)


def open_task(concern, step):
    """The open task of that step for the concern (step: node name)."""
    tasks = [
        task
        for task in CaseTask.objects.filter(
            concern=concern, status__in=["NEW", "ASSIGNED", "STARTED"]
        )
        if task.flow_task.name == step
    ]
    assert len(tasks) == 1, [
        t.flow_task.name for t in CaseTask.objects.filter(concern=concern)
    ]
    return tasks[0]


def open_steps(concern):
    return sorted(
        task.flow_task.name
        for task in CaseTask.objects.filter(
            concern=concern,
            flow_task_type="HUMAN",
            status__in=["NEW", "ASSIGNED", "STARTED"],
        )
    )
