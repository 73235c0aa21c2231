"""Who works a task: the team of a school that a task belongs to.

A task belongs to a school and a team. The DSL team's tasks are worked by the DSLs
and deputies of that school; the head's (concerns about adults) by the concern's
case manager (records.selectors.concerns_managed_by: its heads, or the trust's
lead or chair of governors when it names a head; never the adult named). These
reads sit below the flows: the nodes ask them who may take a task
(workflows.nodes), and notifications ask them whom to tell.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from accounts.models import Membership, Role, School, User
from accounts.selectors import CASE_ROLES, schools_where
from records.selectors import (
    case_managers,
    concerns_managed_by,
    concerns_naming,
    people_who_may_see,
)

from .models import CaseTask, Team

# A request's user: signed in, or not.
AnyUser = User | AnonymousUser

TEAM_ROLES = {Team.DSL: CASE_ROLES, Team.HEAD: (Role.HEAD,)}


def in_team(user: AnyUser, task: CaseTask) -> bool:
    """Whether the user is in the team that works this task, at its school."""
    if not user.is_authenticated:
        return False
    if task.team == Team.HEAD and task.concern_id:
        return concerns_managed_by(user).filter(pk=task.concern_id).exists()
    roles = TEAM_ROLES[Team(task.team)]
    naming = concerns_naming(user).filter(concern=task.concern_id)
    if task.concern_id and naming.exists():
        return False  # conflict of interest: never a task about oneself
    return schools_where(user, *roles).filter(pk=task.school_id).exists()


def is_member(user: AnyUser, school_id: int) -> bool:
    """Whether the user holds any role at the school (an action's assignee)."""
    return user.is_authenticated and schools_where(user).filter(pk=school_id).exists()


def roles_held(user: AnyUser) -> frozenset[tuple[int, str]]:
    """{(school id, role)} the user holds at active schools, in one query."""
    if not user.is_authenticated:
        return frozenset()
    return frozenset(
        Membership.objects.filter(user=user, school__is_active=True).values_list(
            "school_id", "role"
        )
    )


def team_school_ids(held: frozenset[tuple[int, str]]) -> dict[str, tuple[int, ...]]:
    """{team: ids of the schools where the user is in that team}, from the user's
    roles_held.

    Resolved to ids (not left as subqueries) so that a task filter reads
    `school_id IN (1, 2) AND team = 'dsl_team'`, which the planner can serve from
    an index, instead of an OR of IN-subqueries it can only test row by row."""
    return {
        team: tuple(sorted({school for school, role in held if role in roles}))
        for team, roles in TEAM_ROLES.items()
    }


def team_filter(
    user: AnyUser,
    *,
    schools: dict[str, tuple[int, ...]] | None = None,
    manages: bool | None = None,
) -> Q:
    """A Q matching the tasks of every team the user is in: the DSL team's at the
    schools where they are a DSL or deputy (schools: the user's team_school_ids,
    when the caller has them already), and the head team's on the concerns about
    adults they are case manager of (manages: whether there are any, when the
    caller knows; records.selectors.concerns_managed_by)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if schools is None:
        schools = team_school_ids(roles_held(user))
    query = Q(pk__in=[])
    if schools.get(Team.DSL):
        query |= Q(team=Team.DSL, school_id__in=schools[Team.DSL])
    if manages is None:
        manages = concerns_managed_by(user).exists()
    if manages:
        query |= Q(team=Team.HEAD, concern__in=concerns_managed_by(user).values("pk"))
    return query


def is_in_any_team(user: AnyUser) -> bool:
    return user.is_authenticated and (
        any(schools_where(user, *roles).exists() for roles in TEAM_ROLES.values())
        or concerns_managed_by(user).exists()
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
    if task.team == Team.HEAD and task.concern_id:
        return case_managers(task.concern)
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
