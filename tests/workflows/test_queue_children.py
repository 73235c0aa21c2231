"""The queues name the child a task is about, to those who may read that child's
file and to no one else (issue 21)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from records.models import Concern, InvolvementRole
from records.restrictions import services as restrictions
from workflows import services

from .. import builders
from ..builders import RATIONALE, open_task, triage

pytestmark = pytest.mark.django_db
QUEUE = "/admin/casework/team-queue/"
MINE = "/admin/casework/my-tasks/"


def _children_cells(page):
    return page.count("data-children")


def test_the_team_queue_names_the_child_the_concern_is_about(
    school, staff, dsl, deputy, verified_client
):
    subject = builders.pupil(school, first_name="Ruby", last_name="Ashdown")
    witness = builders.pupil(school, first_name="Omar", last_name="Fenwick")
    concern = builders.concern(
        by=staff,
        children=[
            (subject, InvolvementRole.SUBJECT),
            (witness, InvolvementRole.WITNESS),
        ],
    )

    for member in (dsl, deputy):
        page = verified_client(member).get(QUEUE).content.decode()
        assert concern.reference in page
        assert "Ruby Ashdown" in page
        assert "Omar Fenwick" not in page  # a witness is not who it is about


def test_my_tasks_names_the_child_too(school, staff, dsl, verified_client):
    child = builders.pupil(school, first_name="Ruby", last_name="Ashdown")
    concern = builders.concern(by=staff, children=[child])
    builders.claim(concern, "triage", dsl)

    page = verified_client(dsl).get(MINE).content.decode()
    assert "Ruby Ashdown" in page


def test_a_member_of_staff_given_an_action_is_not_told_the_childs_name_in_the_list(
    school, staff, dsl, make_member, verified_client
):
    teacher = make_member(Role.STAFF)
    child = builders.pupil(school, first_name="Ruby", last_name="Ashdown")
    concern = builders.concern(by=staff, children=[child])
    triage(concern, dsl)
    services.action_create(
        concern=concern,
        description="Check in with the class teacher on Friday.",
        assigned_to=teacher,
        due_on=timezone.localdate() + timedelta(days=3),
        user=dsl,
    )

    page = verified_client(teacher).get(MINE).content.decode()
    assert "Check in with the class teacher" in page
    assert "Ruby Ashdown" not in page
    assert "No child shown" in page


def test_a_head_managing_a_concern_about_an_adult_is_not_told_the_childs_name(
    school, staff, head, verified_client
):
    child = builders.pupil(school, first_name="Ruby", last_name="Ashdown")
    concern = builders.concern(by=staff, children=[child], route=Concern.Route.HEAD)

    page = verified_client(head).get(QUEUE).content.decode()
    assert concern.reference in page
    assert "Ruby Ashdown" not in page


def test_a_child_restricted_to_others_stays_out_of_the_queue_and_unnamed(
    school, staff, dsl, deputy, verified_client
):
    child = builders.pupil(school, first_name="Ruby", last_name="Ashdown")
    concern = builders.concern(by=staff, children=[child])
    restrictions.restriction_set(obj=child, user=dsl, reason=RATIONALE, people=[dsl])

    deputy_page = verified_client(deputy).get(QUEUE).content.decode()
    assert concern.reference not in deputy_page
    assert "Ruby Ashdown" not in deputy_page
    assert "Ruby Ashdown" in verified_client(dsl).get(QUEUE).content.decode()
    assert open_task(concern, "triage").owner is None
