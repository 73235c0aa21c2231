"""Reads of tasks and processes, filtered to what the user may see.

A task belongs to a school and a team. The DSL team's tasks are visible to the DSLs
and deputies of that school; the head's (concerns about adults) to its heads. A task
assigned to a named person (an internal action) is visible to that person too.
"""

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from viewflow.workflow.status import STATUS

from accounts.models import Role
from accounts.selectors import CASE_ROLES, schools_where

from .models import CaseTask, Notification, Team

TEAM_ROLES = {Team.DSL: CASE_ROLES, Team.HEAD: (Role.HEAD,)}
OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def in_team(user, task):
    """Whether the user is in the team that works this task, at its school."""
    if not user.is_authenticated:
        return False
    roles = TEAM_ROLES[Team(task.team)]
    return schools_where(user, *roles).filter(pk=task.school_id).exists()


def is_member(user, school_id):
    """Whether the user holds any role at the school (an action's assignee)."""
    return user.is_authenticated and schools_where(user).filter(pk=school_id).exists()


def team_filter(user):
    """A Q matching the tasks of every team the user is in."""
    query = Q(pk__in=[])
    for team, roles in TEAM_ROLES.items():
        query |= Q(team=team, school__in=schools_where(user, *roles))
    return query


def is_in_any_team(user):
    return user.is_authenticated and any(
        schools_where(user, *roles).exists() for roles in TEAM_ROLES.values()
    )


def team_members(*, school, team):
    """Active users who work this team's tasks at this school."""
    from accounts.models import User

    return User.objects.filter(
        is_active=True,
        memberships__school=school,
        memberships__role__in=TEAM_ROLES[Team(team)],
    ).distinct()


def task_team(task):
    """The team members who may see this task's concern or child: its team, less
    anyone a restriction (records.models.Restriction) hides it from. Notifications
    and hand-overs go to these people only."""
    from records.selectors import people_who_may_see

    members = team_members(school=task.school, team=task.team)
    if task.concern_id:
        return people_who_may_see(members, concern=task.concern)
    if task.transfer_id:
        return people_who_may_see(members, pupil=task.transfer.pupil)
    return members


def heads_of(school):
    from accounts.models import User

    return User.objects.filter(
        is_active=True, memberships__school=school, memberships__role=Role.HEAD
    ).distinct()


def _not_restricted(user):
    """A Q leaving out tasks about a concern, or a child's file, restricted to
    other people (records.models.Restriction)."""
    from records.selectors import hidden_concern_ids, hidden_pupil_ids

    hidden_pupils = hidden_pupil_ids(user)
    return (
        ~Q(concern__in=hidden_concern_ids(user))
        & ~Q(concern__involvements__pupil__in=hidden_pupils)
        & ~Q(transfer__pupil__in=hidden_pupils)
        & ~Q(process__caseprocess__pattern_review__pupil__in=hidden_pupils)
    )


def _human(queryset):
    return queryset.filter(flow_task_type="HUMAN", status__in=OPEN)


def tasks_of(user):
    """Human tasks, open or done, of the user's teams, and actions given to them."""
    if not user.is_authenticated:
        return CaseTask.objects.none()
    # Someone given an action sees that task; team tasks only while in the team.
    own_actions = Q(owner=user, action__isnull=False, school__in=schools_where(user))
    return CaseTask.objects.filter(
        team_filter(user) | own_actions, flow_task_type="HUMAN"
    ).filter(_not_restricted(user))


def tasks_visible_to(user):
    """Open human tasks the user may open: their teams' and their own."""
    return _human(tasks_of(user))


def team_queue(user):
    """Unclaimed tasks of the user's teams, urgent first, then oldest first."""
    if not user.is_authenticated:
        return CaseTask.objects.none()
    return _ordered(
        _human(
            CaseTask.objects.filter(team_filter(user), owner__isnull=True).filter(
                _not_restricted(user)
            )
        )
    ).annotate(
        # The queue offers no Claim on the user's own closure's sign-off.
        own_closure=ExpressionWrapper(
            own_closure_filter(user), output_field=BooleanField()
        )
    )


def own_closure_filter(user) -> Q:
    """Sign-off tasks for closures the user made: they are in the user's team queue
    but not theirs to claim (a second DSL signs off, SignOffTask.can_assign)."""
    from records.models import Closure

    from .flows import ConcernFlow

    pending = Closure.objects.filter(
        concern=OuterRef("concern"),
        closed_by=user,
        needs_sign_off=True,
        signed_off_at__isnull=True,
        sent_back_at__isnull=True,
    )
    return Q(Exists(pending), flow_task=ConcernFlow.instance.sign_off)


def my_tasks(user):
    """Tasks the user holds and may still work."""
    if not user.is_authenticated:
        return CaseTask.objects.none()
    return _ordered(tasks_visible_to(user).filter(owner=user))


def _ordered(queryset):
    return queryset.select_related(
        "school", "owner", "concern", "transfer", "referral", "action"
    ).order_by("-urgent", "created", "pk")


def task_counts(user):
    """(my open tasks, unclaimed team tasks) in one query each, for the menu."""
    return my_tasks(user).count(), team_queue(user).count()


def menu_counts(user):
    """What the admin menu shows, in four queries at most."""
    if not user.is_authenticated:
        return {"authenticated": False, "in_team": False}
    from accounts.selectors import memberships_of

    roles = set(memberships_of(user).values_list("role", flat=True))
    in_team = any(set(team_roles) & roles for team_roles in TEAM_ROLES.values())
    return {
        "authenticated": True,
        "in_team": in_team,
        "dsl": Role.DSL in roles,
        "case": bool(set(CASE_ROLES) & roles),
        "mine": my_tasks(user).count(),
        "queue": team_queue(user).count() if in_team else 0,
        "unread": unread_notifications(user).count(),
    }


def overdue_filter(queryset, *, now=None) -> Q:
    """The Q marking the late tasks of this queryset (for a filter or a Count):
    workflows.clock's rule, which the clock sweep acts on (three queries to read the
    calendars of the queryset's schools)."""
    from .clock import for_tasks

    return for_tasks(queryset, now=now).overdue_q()


def overdue(queryset, *, now=None):
    """The late tasks of the queryset, as the sweep sees them."""
    return queryset.filter(overdue_filter(queryset, now=now))


def open_steps(queryset):
    """Open tasks per step: [(flow_task, count)], in one query."""
    return (
        queryset.values("flow_task").annotate(count=Count("pk")).order_by("flow_task")
    )


def oversight_filter(user, prefix=""):
    """A Q over concerns (or tasks, with prefix "concern__") a user may see the
    workflow status of: the DSL team's concerns at schools where they are a DSL,
    deputy or head; concerns about adults only at schools they head (the adult may
    be a DSL)."""
    from records.models import Concern

    return Q(
        **{
            f"{prefix}route": Concern.Route.DSL_TEAM,
            f"{prefix}school__in": schools_where(user, *CASE_ROLES, Role.HEAD),
        }
    ) | Q(
        **{
            f"{prefix}route": Concern.Route.HEAD,
            f"{prefix}school__in": schools_where(user, Role.HEAD),
        }
    )


def unread_notifications(user):
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user, read_at__isnull=True)
