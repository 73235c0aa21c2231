"""Reads of tasks and processes, filtered to what the user may see.

A task belongs to a school and a team (workflows.teams: who works it). The DSL
team's tasks are visible to the DSLs and deputies of that school; the head's
(concerns about adults) to its heads. A task assigned to a named person (an
internal action) is visible to that person too.

The flows are imported last, as a module (`flows.ConcernFlow` read at call time):
modules the flows import read OPEN and the team reads from here.
"""

from datetime import datetime
from typing import cast

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
)

from accounts.models import Role, User
from accounts.selectors import CASE_ROLES, memberships_of, schools_where
from records.models import Closure, Concern
from records.selectors import hidden_concern_ids, hidden_pupil_ids

from .clock import for_tasks
from .models import OPEN, CaseTask, Notification
from .teams import (
    TEAM_ROLES,
    AnyUser,
    heads_of,
    in_team,
    is_in_any_team,
    is_member,
    task_team,
    team_filter,
    team_members,
)

# isort: off
# Last, and as a module (flows.ConcernFlow is read at call time): the flows import
# the services, and those import OPEN and the team reads from this module while it
# is still loading, so they must be bound before the flows are imported.
from . import flows
# isort: on

__all__ = [
    "OPEN",
    "TEAM_ROLES",
    "heads_of",
    "in_team",
    "is_in_any_team",
    "is_member",
    "menu_counts",
    "my_tasks",
    "open_steps",
    "overdue",
    "overdue_filter",
    "oversight_filter",
    "own_closure_filter",
    "task_counts",
    "task_team",
    "tasks_of",
    "tasks_visible_to",
    "team_filter",
    "team_members",
    "team_queue",
    "unread_notifications",
]


def _not_restricted(user: AnyUser) -> Q:
    """A Q leaving out tasks about a concern, or a child's file, restricted to
    other people (records.models.Restriction). Callers have checked the user is
    signed in."""
    member = cast(User, user)
    hidden_pupils = hidden_pupil_ids(member)
    return (
        ~Q(concern__in=hidden_concern_ids(member))
        & ~Q(concern__involvements__pupil__in=hidden_pupils)
        & ~Q(transfer__pupil__in=hidden_pupils)
        & ~Q(process__caseprocess__pattern_review__pupil__in=hidden_pupils)
    )


def _human(queryset: QuerySet[CaseTask]) -> QuerySet[CaseTask]:
    return queryset.filter(flow_task_type="HUMAN", status__in=OPEN)


def tasks_of(user: AnyUser) -> QuerySet[CaseTask]:
    """Human tasks, open or done, of the user's teams, and actions given to them."""
    if not user.is_authenticated:
        return CaseTask.objects.none()
    # Someone given an action sees that task; team tasks only while in the team.
    own_actions = Q(owner=user, action__isnull=False, school__in=schools_where(user))
    return CaseTask.objects.filter(
        team_filter(user) | own_actions, flow_task_type="HUMAN"
    ).filter(_not_restricted(user))


def tasks_visible_to(user: AnyUser) -> QuerySet[CaseTask]:
    """Open human tasks the user may open: their teams' and their own."""
    return _human(tasks_of(user))


def team_queue(user: AnyUser) -> QuerySet[CaseTask]:
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


def own_closure_filter(user: AnyUser) -> Q:
    """Sign-off tasks for closures the user made: they are in the user's team queue
    but not theirs to claim (a second DSL signs off, SignOffTask.can_assign)."""
    pending = Closure.objects.filter(
        concern=OuterRef("concern"),
        closed_by=user.pk,
        needs_sign_off=True,
        signed_off_at__isnull=True,
        sent_back_at__isnull=True,
    )
    return Q(Exists(pending), flow_task=flows.ConcernFlow.instance.sign_off)


def my_tasks(user: AnyUser) -> QuerySet[CaseTask]:
    """Tasks the user holds and may still work."""
    if not user.is_authenticated:
        return CaseTask.objects.none()
    return _ordered(tasks_visible_to(user).filter(owner=user))


def _ordered(queryset: QuerySet[CaseTask]) -> QuerySet[CaseTask]:
    return queryset.select_related(
        "school", "owner", "concern", "transfer", "referral", "action"
    ).order_by("-urgent", "created", "pk")


def task_counts(user: AnyUser) -> tuple[int, int]:
    """(my open tasks, unclaimed team tasks) in one query each, for the menu."""
    return my_tasks(user).count(), team_queue(user).count()


def menu_counts(user: AnyUser) -> dict[str, bool | int]:
    """What the admin menu shows, in four queries at most."""
    if not user.is_authenticated:
        return {"authenticated": False, "in_team": False}
    roles = set(memberships_of(user).values_list("role", flat=True))
    in_team = any(set(team_roles) & roles for team_roles in TEAM_ROLES.values())
    return {
        "authenticated": True,
        "in_team": in_team,
        "dsl": Role.DSL in roles,
        "head": Role.HEAD in roles,
        "case": bool(set(CASE_ROLES) & roles),
        "mine": my_tasks(user).count(),
        "queue": team_queue(user).count() if in_team else 0,
        "unread": unread_notifications(user).count(),
    }


def overdue_filter(queryset: QuerySet[CaseTask], *, now: datetime | None = None) -> Q:
    """The Q marking the late tasks of this queryset (for a filter or a Count):
    workflows.clock's rule, which the clock sweep acts on (three queries to read the
    calendars of the queryset's schools)."""
    return for_tasks(queryset, now=now).overdue_q()


def overdue(
    queryset: QuerySet[CaseTask], *, now: datetime | None = None
) -> QuerySet[CaseTask]:
    """The late tasks of the queryset, as the sweep sees them."""
    return queryset.filter(overdue_filter(queryset, now=now))


def open_steps(queryset: QuerySet[CaseTask]) -> QuerySet[CaseTask, dict]:
    """Open tasks per step: [(flow_task, count)], in one query."""
    return (
        queryset.values("flow_task").annotate(count=Count("pk")).order_by("flow_task")
    )


def oversight_filter(user: AnyUser, prefix: str = "") -> Q:
    """A Q over concerns (or tasks, with prefix "concern__") a user may see the
    workflow status of: the DSL team's concerns at schools where they are a DSL,
    deputy or head; concerns about adults only at schools they head (the adult may
    be a DSL)."""
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


def unread_notifications(user: AnyUser) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user, read_at__isnull=True)
