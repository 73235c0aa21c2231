"""What several casework pages share: who is in the user's teams, and what the
team reads about a concern."""

from typing import Any

from django.db.models import QuerySet

from accounts.models import Role, School, User
from accounts.selectors import CASE_ROLES, schools_where
from records.models import Concern
from records.selectors import concerns_visible_to, pupils_visible_to

from .. import selectors

PAGE_SIZE = 50


def request_reach(request: Any) -> selectors.Reach:
    """The user's task Reach (workflows.selectors), resolved once per request: the
    menu's counts and the page's own list share it."""
    if not hasattr(request, "_casework_reach"):
        request._casework_reach = selectors.reach_of(request.user)
    return request._casework_reach


def team_schools(user: User) -> QuerySet[School]:
    """The schools where the user works a team (DSL, deputy, head)."""
    return schools_where(user, *CASE_ROLES, Role.HEAD)


def team_people(user: User) -> QuerySet[User]:
    """Everyone at the schools where the user works a team (for assigning)."""
    return (
        User.objects.filter(is_active=True, memberships__school__in=team_schools(user))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def concern_context(concern: Concern, user: User) -> dict[str, Any]:
    """What the concern's page and its tasks' pages show of it."""
    involvements = list(concern.involvements.select_related("pupil"))
    pupils = [i.pupil for i in involvements]
    earlier = (
        concerns_visible_to(user)
        .filter(involvements__pupil__in=pupils, submitted_at__lt=concern.submitted_at)
        .exclude(pk=concern.pk)
        .distinct()
        .order_by("-submitted_at")[:10]
    )
    return {
        "concern": concern,
        "involvements": involvements,
        # A child's name links to their file only for someone who may open it (not
        # a break-glass reader of this one concern).
        "openable_files": set(
            pupils_visible_to(user)
            .filter(pk__in=[p.pk for p in pupils])
            .values_list("pk", flat=True)
        ),
        "attachments": concern.attachments.all(),
        "timeline": _timeline(concern),
        "earlier": earlier,
    }


def _timeline(concern):
    """Everything done on the concern, in the order it happened."""
    events = [
        *(
            ("triage", t.triaged_at, t)
            for t in concern.triages.select_related("triaged_by")
        ),
        *(
            ("decision", d.decided_at, d)
            for d in concern.decisions.select_related("decided_by").prefetch_related(
                "referrals"
            )
        ),
        *(("referral", r.created_at, r) for r in concern.referrals.all()),
        *(
            ("contact", c.contacted_at, c)
            for c in concern.referral_contacts.select_related("referral", "recorded_by")
        ),
        *(
            ("action", a.created_at, a)
            for a in concern.actions.select_related("assigned_to", "created_by")
        ),
        *(
            ("closure", c.closed_at, c)
            for c in concern.closures.select_related(
                "closed_by", "signed_off_by", "sent_back_by"
            )
        ),
    ]
    events.sort(key=lambda event: event[1])
    return [{"kind": kind, "at": at, "item": item} for kind, at, item in events]
