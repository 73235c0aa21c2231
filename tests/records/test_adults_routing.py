"""Concerns about adults (KCSIE Part 4): who is case manager, and conflict of
interest, at the level of the selectors every page, export, API answer and
notification is built on (records.selectors, workflows.teams).

One school of a trust: a staff member, a deputy, a DSL, a head, a configurator, a
trust lead (head and configurator here and at the other school, the trust's
nominated lead), a chair of governors, and a system administrator who also works
at the school. Each of them is named in turn."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import HeadConcernsTo, Role, User
from records import restrictions
from records.models import Concern
from records.selectors import (
    case_managers,
    concerns_managed_by,
    concerns_visible_to,
    concerns_workable_by,
    people_who_may_see,
)
from workflows.models import CaseTask, Notification
from workflows.selectors import (
    in_team,
    my_tasks,
    oversight_filter,
    task_team,
    tasks_visible_to,
    team_queue,
)
from workflows.services import action_create

from .. import builders

pytestmark = pytest.mark.django_db

NAMED_ROLES = (
    "staff",
    "deputy",
    "dsl",
    "head",
    "configurator",
    "trust_lead",
    "sysadmin",
)


@pytest.fixture
def people(school, other_school):
    people = {
        "staff": builders.member(school, Role.STAFF),
        "deputy": builders.member(school, Role.DEPUTY_DSL),
        "dsl": builders.member(school, Role.DSL),
        "head": builders.member(school, Role.HEAD),
        "configurator": builders.member(school, Role.CONFIGURATOR),
        "trust_lead": builders.member(
            school,
            Role.HEAD,
            Role.CONFIGURATOR,
            others=[(other_school, Role.HEAD)],
        ),
        "chair": builders.member(school, Role.STAFF, first_name="Chris"),
        "sysadmin": builders.member(school, Role.STAFF, is_superuser=True),
        "reporter": builders.member(school, Role.STAFF),
    }
    school.trust.nominated_lead = people["trust_lead"]
    school.trust.save()
    school.chair_of_governors = people["chair"]
    school.save()
    return people


def about(people, role, **fields):
    return builders.about(people[role], by=people["reporter"], **fields)


def expected_managers(people, named):
    """Heads, unless a head is named: then the trust's lead (the school's
    default), or the chair when the trust's lead is the one named."""
    if named == "head":
        return {"trust_lead"}
    if named == "trust_lead":
        return {"chair"}
    return {"head", "trust_lead"}


def names(people, users):
    by_pk = {user.pk: role for role, user in people.items()}
    return {by_pk[user.pk] for user in users}


@pytest.mark.parametrize("named", NAMED_ROLES)
def test_the_case_manager_works_it_and_the_adult_named_never_does(people, named):
    concern = about(people, named)
    managers = expected_managers(people, named)
    assert names(people, case_managers(concern)) == managers
    for role, user in people.items():
        workable = concerns_workable_by(user).filter(pk=concern.pk).exists()
        visible = concerns_visible_to(user).filter(pk=concern.pk).exists()
        managed = concerns_managed_by(user).filter(pk=concern.pk).exists()
        assert workable == visible == managed == (role in managers), role


@pytest.mark.parametrize("named", NAMED_ROLES)
def test_the_adult_named_has_no_task_count_or_status_of_it(people, named):
    concern = about(people, named)
    task = CaseTask.objects.get(concern=concern, flow_task_type="HUMAN")
    user = people[named]
    assert not in_team(user, task)
    assert not team_queue(user).filter(concern=concern).exists()
    assert not tasks_visible_to(user).filter(concern=concern).exists()
    assert not my_tasks(user).filter(concern=concern).exists()
    assert not Concern.objects.filter(oversight_filter(user), pk=concern.pk).exists()
    assert user not in task_team(task)
    assert not Notification.objects.filter(user=user).exists()


@pytest.mark.parametrize("named", NAMED_ROLES)
def test_the_case_manager_is_told_and_can_claim(people, named):
    concern = about(people, named)
    task = CaseTask.objects.get(concern=concern, flow_task_type="HUMAN")
    told = {
        n.user for n in Notification.objects.filter(message__contains=concern.reference)
    }
    assert names(people, told) == expected_managers(people, named)
    for role in expected_managers(people, named):
        assert in_team(people[role], task)
        assert team_queue(people[role]).filter(pk=task.pk).exists()
    assert names(people, task_team(task)) == expected_managers(people, named)


def test_a_school_can_send_concerns_about_its_head_to_the_chair(school, people):
    school.head_concerns_to = HeadConcernsTo.CHAIR
    school.save()
    concern = about(people, "head")
    assert names(people, case_managers(concern)) == {"chair"}
    assert concerns_workable_by(people["chair"]).filter(pk=concern.pk).exists()
    assert not concerns_workable_by(people["trust_lead"]).filter(pk=concern.pk)


def test_with_no_trust_lead_a_concern_about_the_head_goes_to_the_chair(school, people):
    school.trust.nominated_lead = None
    school.trust.save()
    concern = about(people, "head")
    assert names(people, case_managers(concern)) == {"chair"}


def test_a_concern_naming_no_head_never_reaches_the_chair(people):
    concern = about(people, "dsl")
    assert not concerns_workable_by(people["chair"]).filter(pk=concern.pk).exists()


def test_a_typed_in_visitor_goes_to_the_heads(school, people):
    concern = builders.concern(
        by=people["reporter"], school=school, route=Concern.Route.HEAD
    )
    assert names(people, case_managers(concern)) == {"head", "trust_lead"}
    assert concern.about_adult.name == "Sam Visitor"


@pytest.mark.parametrize("restrict", ["concern", "file"])
def test_a_restriction_never_hides_it_from_its_case_manager(people, restrict):
    """A DSL restricts the child's file to themselves; a head restricts a concern
    to themselves: the case managers keep it, in their queue too."""
    concern = about(people, "staff")
    reason = "Restricting to see whether the head loses it (test)."
    if restrict == "file":
        child = builders.child_of(concern)
        restrictions.restriction_set(
            obj=child, user=people["dsl"], reason=reason, people=[]
        )
    else:
        restrictions.restriction_set(
            obj=concern, user=people["head"], reason=reason, people=[]
        )
    task = CaseTask.objects.get(concern=concern, flow_task_type="HUMAN")
    for role in ("head", "trust_lead"):
        user = people[role]
        assert concerns_workable_by(user).filter(pk=concern.pk).exists(), role
        assert team_queue(user).filter(pk=task.pk).exists(), role
        assert Concern.objects.filter(oversight_filter(user), pk=concern.pk).exists()
    assert names(people, task_team(task)) == {"head", "trust_lead"}
    managers = people_who_may_see(User.objects.all(), concern=concern)
    assert names(people, managers) == {"head", "trust_lead"}


def test_the_case_manager_cannot_give_the_adult_named_an_action(people):
    concern = about(people, "dsl")
    with pytest.raises(ValidationError, match="this concern is about them"):
        action_create(
            concern=concern,
            description="Speak to the DSL",
            assigned_to=people["dsl"],
            due_on=timezone.localdate(),
            user=people["head"],
        )
