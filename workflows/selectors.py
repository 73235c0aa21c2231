"""Reads of tasks and processes, filtered to what the user may see.

A task belongs to a school and a team (workflows.teams: who works it). The DSL
team's tasks are visible to the DSLs and deputies of that school; the head's
(concerns about adults) to its heads. A task assigned to a named person (an
internal action) is visible to that person too.

The flows are imported last, as a module (`flows.ConcernFlow` read at call time):
modules the flows import read OPEN and the team reads from here.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
)
from viewflow.workflow.models import Task

from accounts.models import Role
from accounts.selectors import CASE_ROLES, schools_where
from records.models import Closure, Concern, ConcernPupil, InvolvementRole, Transfer
from records.selectors import (
    concerns_kept_from,
    concerns_managed_by,
    concerns_naming,
    open_restrictions,
    pupils_visible_to,
)

from .clock import for_tasks
from .models import OPEN, CaseTask, Notification, PatternReview
from .teams import (
    TEAM_ROLES,
    AnyUser,
    heads_of,
    in_team,
    is_in_any_team,
    is_member,
    roles_held,
    task_team,
    team_filter,
    team_members,
    team_school_ids,
)

# isort: off
# Last, and as a module (flows.ConcernFlow is read at call time): the flows import
# the services, and those import OPEN and the team reads from this module while it
# is still loading, so they must be bound before the flows are imported.
from . import flows
# isort: on

__all__ = [
    "MENU_COUNT_CAP",
    "OPEN",
    "TEAM_ROLES",
    "Reach",
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
    "reach_of",
    "task_counts",
    "task_team",
    "tasks_of",
    "tasks_visible_to",
    "team_filter",
    "team_members",
    "team_queue",
    "unread_notifications",
]


@dataclass(frozen=True)
class Reach:
    """What one user's task reads depend on, resolved once (a request resolves it
    once and passes it to every task read): the (school, role) pairs they hold,
    and the concerns, transfers and processes that restrictions
    (records.models.Restriction) hide from them.

    Resolved to ids, every task read is one shape the planner can serve from the
    open-task index: `school_id IN (…) AND team = …`, less a short list of hidden
    ids (none at all when nothing is restricted, the usual case), never an OR of
    IN-subqueries or an anti-join it has to guess the size of."""

    held: frozenset[tuple[int, str]]
    hidden_concerns: tuple[int, ...] = ()
    hidden_transfers: tuple[int, ...] = ()
    hidden_processes: tuple[int, ...] = ()
    # Case manager of some concern about an adult (records.concerns_managed_by):
    # their head-team tasks are those concerns', not every head task of a school.
    manages: bool = False

    @property
    def teams(self) -> dict[str, tuple[int, ...]]:
        return team_school_ids(self.held)

    @property
    def schools(self) -> tuple[int, ...]:
        return tuple(sorted({school for school, _role in self.held}))

    @property
    def roles(self) -> set[str]:
        return {role for _school, role in self.held}

    @property
    def in_team(self) -> bool:
        return any(self.teams.values()) or self.manages


def _ids(ids: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(set(ids)))


def reach_of(user: AnyUser) -> Reach:
    """The user's Reach: memberships, the concerns kept from them (restricted to
    other people unless they are its case manager, or naming them:
    records.selectors.concerns_kept_from), whether they manage any concern about
    an adult, and, only when a restriction hides a child's file from them, that
    child's transfers and pattern reviews."""
    if not user.is_authenticated:
        return Reach(frozenset())
    member = user
    pupils = set(
        open_restrictions()
        .filter(pupil__isnull=False)
        .exclude(people=member)
        .values_list("pupil_id", flat=True)
    )
    held = roles_held(member)
    hidden_concerns = _ids(concerns_kept_from(member).values_list("pk", flat=True))
    manages = concerns_managed_by(member).exists()
    if not pupils:
        return Reach(held, hidden_concerns=hidden_concerns, manages=manages)
    return Reach(
        held,
        hidden_concerns=hidden_concerns,
        manages=manages,
        hidden_transfers=_ids(
            Transfer.objects.filter(pupil_id__in=pupils).values_list("pk", flat=True)
        ),
        hidden_processes=_ids(
            PatternReview.objects.filter(pupil_id__in=pupils).values_list(
                "process_id", flat=True
            )
        ),
    )


def _not_restricted(reach: Reach) -> Q:
    """A Q leaving out tasks about a concern, or a child's file, restricted to
    other people: the concern itself, any concern about the child, a transfer of
    the child's file, a pattern review of the child."""
    query = Q()
    for field, ids in (
        ("concern_id", reach.hidden_concerns),
        ("transfer_id", reach.hidden_transfers),
        ("process_id", reach.hidden_processes),
    ):
        if ids:
            query &= ~Q(**{f"{field}__in": ids})
    return query


def _human(queryset: QuerySet[CaseTask], **owner: Any) -> QuerySet[CaseTask]:
    """The open human tasks of the queryset (owner: owner=… or owner__isnull=…).

    Also written as `pk IN (open human tasks)` over Viewflow's own table: the
    planner then starts from the open-task index (workflows migration 0007, a few
    thousand rows whatever the history) and fetches each CaseTask by its key,
    instead of reading every CaseTask row of the user's schools, done ones
    included, and joining the open ones in."""
    open_tasks = Task.objects.filter(flow_task_type="HUMAN", status__in=OPEN, **owner)
    return queryset.filter(
        flow_task_type="HUMAN", status__in=OPEN, pk__in=open_tasks.values("pk")
    ).filter(**owner)


def tasks_of(user: AnyUser, *, reach: Reach | None = None) -> QuerySet[CaseTask]:
    """Human tasks, open or done, of the user's teams, and actions given to them."""
    if not user.is_authenticated:
        return CaseTask.objects.none()
    reach = reach or reach_of(user)
    # Someone given an action sees that task; team tasks only while in the team.
    own_actions = Q(owner=user, action__isnull=False, school_id__in=reach.schools)
    return CaseTask.objects.filter(
        team_filter(user, schools=reach.teams, manages=reach.manages) | own_actions,
        flow_task_type="HUMAN",
    ).filter(_not_restricted(reach))


def tasks_visible_to(
    user: AnyUser, *, reach: Reach | None = None
) -> QuerySet[CaseTask]:
    """Open human tasks the user may open: their teams' and their own."""
    return _human(tasks_of(user, reach=reach))


def _unclaimed(user: AnyUser, reach: Reach | None) -> QuerySet[CaseTask]:
    if not user.is_authenticated:
        return CaseTask.objects.none()
    reach = reach or reach_of(user)
    return _human(
        CaseTask.objects.filter(
            team_filter(user, schools=reach.teams, manages=reach.manages)
        ).filter(_not_restricted(reach)),
        owner__isnull=True,
    )


def team_queue(user: AnyUser, *, reach: Reach | None = None) -> QuerySet[CaseTask]:
    """Unclaimed tasks of the user's teams, urgent first, then oldest first."""
    if not user.is_authenticated:
        return CaseTask.objects.none()
    return _ordered(_unclaimed(user, reach)).annotate(
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


def my_tasks(user: AnyUser, *, reach: Reach | None = None) -> QuerySet[CaseTask]:
    """Tasks the user holds and may still work."""
    if not user.is_authenticated:
        return CaseTask.objects.none()
    return _ordered(_human(tasks_of(user, reach=reach), owner=user))


def _ordered(queryset: QuerySet[CaseTask]) -> QuerySet[CaseTask]:
    return queryset.select_related(
        "school", "owner", "concern", "transfer", "referral", "action"
    ).order_by("-urgent", "created", "pk")


def children_of_tasks(tasks: Iterable[CaseTask], user: AnyUser) -> dict[int, list]:
    """The children each task is about, by task key, as a queue names them: the
    child a concern is about (not a witness or the child alleged to have caused
    harm), the child whose file a transfer moves. Only children whose file the
    user may read (records.selectors.pupils_visible_to): a restricted file, or a
    child in a concern about an adult that a head manages, stays unnamed.

    Two queries for a page of tasks, whatever its length."""
    tasks = list(tasks)
    if not tasks or not user.is_authenticated:
        return {}
    visible = pupils_visible_to(user).values("pk")
    by_concern: dict[int, list] = {}
    for involvement in (
        ConcernPupil.objects.filter(
            concern_id__in={t.concern_id for t in tasks if t.concern_id},
            role=InvolvementRole.SUBJECT,
            pupil__in=visible,
        )
        .select_related("pupil")
        .order_by("pupil__last_name", "pupil__first_name", "pk")
    ):
        by_concern.setdefault(involvement.concern_id, []).append(involvement.pupil)
    moved = {
        transfer.pk: transfer.pupil
        for transfer in Transfer.objects.filter(
            pk__in={t.transfer_id for t in tasks if t.transfer_id},
            pupil__in=visible,
        ).select_related("pupil")
    }
    children = {}
    for task in tasks:
        if task.concern_id:
            children[task.pk] = by_concern.get(task.concern_id, [])
        elif task.transfer_id in moved:
            children[task.pk] = [moved[task.transfer_id]]
        else:
            children[task.pk] = []
    return children


def task_counts(user: AnyUser) -> tuple[int, int]:
    """(my open tasks, unclaimed team tasks), exact, for the API."""
    reach = reach_of(user)
    return (
        my_tasks(user, reach=reach).count(),
        _unclaimed(user, reach).count() if reach.in_team else 0,
    )


# The menu counts up to here: "99+" says as much to a DSL as 4,213 would, and
# counting stops at the hundredth row instead of reading every open task.
MENU_COUNT_CAP = 99


def _capped(queryset: QuerySet) -> int:
    return queryset.order_by().values("pk")[: MENU_COUNT_CAP + 1].count()


def menu_counts(user: AnyUser, *, reach: Reach | None = None) -> dict[str, bool | int]:
    """What the admin menu shows, in six small queries at most. A count above
    MENU_COUNT_CAP is given as MENU_COUNT_CAP + 1 (shown "99+")."""
    if not user.is_authenticated:
        return {"authenticated": False, "in_team": False}
    reach = reach or reach_of(user)
    roles = reach.roles
    return {
        "authenticated": True,
        "in_team": reach.in_team,
        "dsl": Role.DSL in roles,
        "head": Role.HEAD in roles,
        "case": bool(set(CASE_ROLES) & roles),
        "mine": _capped(_human(tasks_of(user, reach=reach), owner=user)),
        "queue": _capped(_unclaimed(user, reach)) if reach.in_team else 0,
        "unread": _capped(unread_notifications(user)),
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
    deputy or head; concerns about adults they are case manager of (the adult may
    be a DSL, or the head). Never a concern naming the user."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    member = user
    return (
        Q(
            **{
                f"{prefix}route": Concern.Route.DSL_TEAM,
                f"{prefix}school__in": schools_where(user, *CASE_ROLES, Role.HEAD),
            }
        )
        | Q(**{f"{prefix}pk__in": concerns_managed_by(member).values("pk")})
    ) & ~Q(**{f"{prefix}pk__in": concerns_naming(member)})


def unread_notifications(user: AnyUser) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user, read_at__isnull=True)
