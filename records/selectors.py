"""Reads of children's records, filtered to what the user may see.

Two kinds of read: *workable* records are those the user's role gives them (and
a restriction has not taken away); *visible* records add what a break-glass access
opens for a while, read-only. Views that change a record use the workable selector.
"""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from accounts.selectors import CASE_ROLES, schools_where

from .models import (
    BreakGlassAccess,
    Concern,
    ConcernAttachment,
    ConcernPupil,
    Pupil,
    Restriction,
)

# request.user: the selectors answer "nothing" for someone not signed in.
Viewer = User | AnonymousUser


def open_restrictions() -> QuerySet[Restriction]:
    return Restriction.objects.filter(lifted_at__isnull=True)


def open_break_glass(
    user: Viewer, *, now: datetime | None = None
) -> QuerySet[BreakGlassAccess]:
    """The user's break-glass accesses that have not ended."""
    if not user.is_authenticated:
        return BreakGlassAccess.objects.none()
    return BreakGlassAccess.objects.filter(
        user=user, closed_at__isnull=True, expires_at__gt=now or timezone.now()
    )


def hidden_pupil_ids(user: User) -> QuerySet[Restriction, Any]:
    """Children whose whole file is restricted to people other than this user."""
    return (
        open_restrictions()
        .filter(pupil__isnull=False)
        .exclude(people=user)
        .values("pupil")
    )


def hidden_concern_ids(user: User) -> QuerySet[Restriction, Any]:
    return (
        open_restrictions()
        .filter(concern__isnull=False)
        .exclude(people=user)
        .values("concern")
    )


def pupils_workable_by(user: Viewer) -> QuerySet[Pupil]:
    """Pupils of the schools where the user is a DSL or deputy DSL, less any file
    restricted to other people; nothing else."""
    if not user.is_authenticated:
        return Pupil.objects.none()
    return Pupil.objects.filter(school__in=schools_where(user, *CASE_ROLES)).exclude(
        pk__in=hidden_pupil_ids(user)
    )


def pupils_visible_to(user: Viewer) -> QuerySet[Pupil]:
    """The pupils whose file the user may read: those they work, and any whose
    file a break-glass access opened. (One opened on a concern opens that concern,
    not the rest of the child's file.)"""
    if not user.is_authenticated:
        return Pupil.objects.none()
    return Pupil.objects.filter(
        Q(pk__in=pupils_workable_by(user).values("pk"))
        | Q(pk__in=open_break_glass(user).values("pupil"))
    )


def pupils_restricted_from(user: Viewer) -> QuerySet[Pupil]:
    """Files at the user's DSL-team schools that a restriction hides from them: the
    file list says they exist (so a deputy knows to ask), never what is in them."""
    if not user.is_authenticated:
        return Pupil.objects.none()
    return Pupil.objects.filter(
        school__in=schools_where(user, *CASE_ROLES), pk__in=hidden_pupil_ids(user)
    )


def pupils_reportable_by(user: Viewer) -> QuerySet[Pupil]:
    """Pupils a member of staff may name in a concern: those on roll at their schools.
    Only identity is exposed through this (name, UPN, year), never the file."""
    if not user.is_authenticated:
        return Pupil.objects.none()
    return Pupil.objects.filter(
        school__in=schools_where(user), date_left__isnull=True
    ).select_related("school")


def concerns_reported_by(user: Viewer) -> QuerySet[Concern]:
    """The concerns a person reported or recorded (for someone on paper), for "My
    reports": reference, form, when and status only. Case content is not selected."""
    if not user.is_authenticated:
        return Concern.objects.none()
    return (
        Concern.objects.filter(Q(reported_by=user) | Q(recorded_by=user))
        .only("pk", "form_title", "submitted_at", "status", "school_id")
        .order_by("-submitted_at", "-pk")
    )


def concerns_workable_by(user: Viewer) -> QuerySet[Concern]:
    """Concerns the user works: the DSL team's concerns at schools where they are a
    DSL or deputy; concerns about adults at schools they head. Less any concern
    restricted to other people, or about a child whose file is."""
    if not user.is_authenticated:
        return Concern.objects.none()
    return (
        Concern.objects.filter(
            Q(route=Concern.Route.DSL_TEAM, school__in=schools_where(user, *CASE_ROLES))
            | Q(route=Concern.Route.HEAD, school__in=schools_where(user, Role.HEAD))
        )
        .exclude(pk__in=hidden_concern_ids(user))
        .exclude(involvements__pupil__in=hidden_pupil_ids(user))
    )


def concerns_visible_to(user: Viewer) -> QuerySet[Concern]:
    """Concerns whose content the user may read: those they work, and those a
    break-glass access opens (the concern itself, or every concern about a child
    whose file was opened)."""
    if not user.is_authenticated:
        return Concern.objects.none()
    glass = open_break_glass(user)
    return Concern.objects.filter(
        Q(pk__in=concerns_workable_by(user).values("pk"))
        | Q(pk__in=glass.values("concern"))
        | Q(
            pk__in=ConcernPupil.objects.filter(pupil__in=glass.values("pupil")).values(
                "concern"
            )
        )
    )


def concerns_restricted_from(user: Viewer, *, pupil: Pupil) -> QuerySet[Concern]:
    """How many concerns about this child the user's role would show but a
    restriction hides: the file says "1 restricted concern" and offers break-glass."""
    if not user.is_authenticated:
        return Concern.objects.none()
    return (
        Concern.objects.filter(
            route=Concern.Route.DSL_TEAM,
            school__in=schools_where(user, *CASE_ROLES),
            pk__in=hidden_concern_ids(user),
        )
        .filter(pk__in=ConcernPupil.objects.filter(pupil=pupil).values("concern"))
        .exclude(pk__in=concerns_visible_to(user).values("pk"))
    )


def is_read_only(user: Viewer, obj: Pupil | Concern) -> bool:
    """Whether the user sees this pupil or concern only through break-glass."""
    if isinstance(obj, Pupil):
        return not pupils_workable_by(user).filter(pk=obj.pk).exists()
    return not concerns_workable_by(user).filter(pk=obj.pk).exists()


def attachments_visible_to(user: Viewer) -> QuerySet[ConcernAttachment]:
    return ConcernAttachment.objects.filter(concern__in=concerns_visible_to(user))


def pupil_concerns(pupil: Pupil, *, user: Viewer) -> QuerySet[Concern]:
    """The concerns about this child the user may read, newest first."""
    return (
        concerns_visible_to(user)
        .filter(involvements__pupil=pupil)
        .order_by("-submitted_at")
    )


def pupil_concern_figures(
    pupils: list[Pupil], *, user: Viewer
) -> dict[int, tuple[int, datetime | None]]:
    """{pupil id: (concerns the user may read, when the latest was submitted)} for
    a page of pupils, in one query grouped over their involvements only (one
    about an adult is not counted)."""
    rows = (
        ConcernPupil.objects.filter(
            pupil__in=[pupil.pk for pupil in pupils],
            concern__in=concerns_visible_to(user),
        )
        .values("pupil")
        .annotate(
            count=Count("concern", distinct=True), last=Max("concern__submitted_at")
        )
        .order_by()
    )
    return {row["pupil"]: (row["count"], row["last"]) for row in rows}


def people_who_may_see(
    users: QuerySet[User],
    *,
    concern: Concern | None = None,
    pupil: Pupil | None = None,
) -> QuerySet[User]:
    """Of `users` (a queryset), those no restriction hides this concern (or this
    child's file) from: named on every restriction in place on the concern, on the
    file of every child it is about, or on the file. For notifications, and for
    the people a task can be handed to."""
    if concern is not None:
        covering = open_restrictions().filter(
            Q(concern=concern)
            | Q(pupil__in=ConcernPupil.objects.filter(concern=concern).values("pupil"))
        )
    elif pupil is not None:
        covering = open_restrictions().filter(pupil=pupil)
    else:
        return users
    for restriction in covering.prefetch_related("people"):
        users = users.filter(pk__in=[person.pk for person in restriction.people.all()])
    return users
