"""Who works a task: the team of a school that a task belongs to.

A task belongs to a school and a team. The DSL team's tasks are worked by the DSLs
and deputies of that school; the head's (concerns about adults) by its heads. These
reads sit below the flows: the nodes ask them who may take a task
(workflows.nodes), and notifications ask them whom to tell.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from accounts.models import Role, School, User
from accounts.selectors import CASE_ROLES, schools_where
from records.selectors import people_who_may_see

from .models import CaseTask, Team

# A request's user: signed in, or not.
AnyUser = User | AnonymousUser

TEAM_ROLES = {Team.DSL: CASE_ROLES, Team.HEAD: (Role.HEAD,)}


def in_team(user: AnyUser, task: CaseTask) -> bool:
    """Whether the user is in the team that works this task, at its school."""
    if not user.is_authenticated:
        return False
    roles = TEAM_ROLES[Team(task.team)]
    return schools_where(user, *roles).filter(pk=task.school_id).exists()


def is_member(user: AnyUser, school_id: int) -> bool:
    """Whether the user holds any role at the school (an action's assignee)."""
    return user.is_authenticated and schools_where(user).filter(pk=school_id).exists()


def team_filter(user: AnyUser) -> Q:
    """A Q matching the tasks of every team the user is in."""
    query = Q(pk__in=[])
    for team, roles in TEAM_ROLES.items():
        query |= Q(team=team, school__in=schools_where(user, *roles))
    return query


def is_in_any_team(user: AnyUser) -> bool:
    return user.is_authenticated and any(
        schools_where(user, *roles).exists() for roles in TEAM_ROLES.values()
    )


def team_members(*, school: School | int, team: str) -> QuerySet[User]:
    """Active users who work this team's tasks at this school."""
    return User.objects.filter(
        is_active=True,
        memberships__school=school,
        memberships__role__in=TEAM_ROLES[Team(team)],
    ).distinct()


def task_team(task: CaseTask) -> QuerySet[User]:
    """The team members who may see this task's concern or child: its team, less
    anyone a restriction (records.models.Restriction) hides it from. Notifications
    and hand-overs go to these people only."""
    members = team_members(school=task.school, team=task.team)
    if task.concern_id:
        # Never the adult a concern about an adult names (workflows.adults).
        members = members.exclude(concerns_naming_me__concern=task.concern_id)
        return people_who_may_see(members, concern=task.concern)
    if task.transfer_id:
        return people_who_may_see(members, pupil=task.transfer.pupil)
    return members


def heads_of(school: School) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__school=school, memberships__role=Role.HEAD
    ).distinct()
