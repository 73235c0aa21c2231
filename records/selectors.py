"""Reads of children's records, filtered to what the user may see.

Two kinds of read: *workable* records are those the user's role gives them (and
a restriction has not taken away); *visible* records add what a break-glass access
opens for a while, read-only. Views that change a record use the workable selector.

Concerns about adults (KCSIE Part 4, Concern.Route.HEAD) are worked by their *case
manager*: the school's heads, or, when the adult named holds the head's role there,
the person the school's setting names (the trust's nominated lead or the chair of
governors). Two rules hold in every read below, so every page, export, API answer
and notification built on them inherits them:

- *conflict of interest*: nobody opens, works, counts or hears of a concern that
  names them (ConcernAboutAdult.person), whatever roles they hold or break-glass
  they open (`concerns_naming`);
- a restriction never takes a concern about an adult away from its case manager
  (`concerns_managed_by` is not narrowed by restrictions).
Each rule is one queryset here, tested on its own (tests/records/test_adults_*).
"""

import re
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import HeadConcernsTo, Membership, Role, School, User
from accounts.selectors import CASE_ROLES, schools_where

from .models import (
    BreakGlassAccess,
    Concern,
    ConcernAboutAdult,
    ConcernAttachment,
    ConcernPupil,
    Pupil,
    Restriction,
)

# request.user: the selectors answer "nothing" for someone not signed in.
Viewer = User | AnonymousUser


# The deployment-wide references concerns had before schools numbered their own.
CONCERN_REFERENCE = re.compile(r"^\s*C?0*(\d{1,9})\s*$", re.IGNORECASE)


def concerns_with_reference(
    concerns: QuerySet[Concern], text: str
) -> QuerySet[Concern]:
    """The concern of `concerns` a typed reference names: the school's own
    (OAK-000123, in any case) or, for a concern recorded before schools numbered
    their own, its old C000123 (which never finds a concern that has a school's)."""
    text = (text or "").strip().upper()
    if not text:
        return concerns.none()
    legacy = CONCERN_REFERENCE.match(text)
    if legacy:
        return concerns.filter(school_reference="", pk=int(legacy.group(1)))
    return concerns.filter(school_reference=text)


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


# -- concerns about adults: conflict of interest and the case manager ---------------


def concerns_naming(user: User) -> QuerySet[ConcernAboutAdult, Any]:
    """The concerns that name this user as the adult they are about: never theirs
    to open, work, count or hear of (a subquery of concern ids)."""
    return ConcernAboutAdult.objects.filter(person=user).values("concern")


def _names_the_head() -> Exists:
    """The adult the concern names holds the head's role at the concern's school."""
    return Exists(
        Membership.objects.filter(
            user=OuterRef("about_adult__person"),
            school=OuterRef("school"),
            role=Role.HEAD,
        )
    )


def _nominee_q(user: User, chosen: str, other: str) -> Q:
    """The user is the school's chosen nominee (`chosen`: a lookup from the
    concern), or the other one when the chosen is missing or is the adult named."""
    named = F("about_adult__person")
    return Q(**{chosen: user}) | (
        Q(**{other: user}) & (Q(**{f"{chosen}__isnull": True}) | Q(**{chosen: named}))
    )


def _head_case_manager_q(user: User) -> Q:
    """Concerns naming a head that go to this user: the trust's nominated lead or
    the chair of governors, as the school's setting says (accounts.School)."""
    lead, chair = "school__trust__nominated_lead", "school__chair_of_governors"
    to = "school__head_concerns_to"
    return (Q(**{to: HeadConcernsTo.TRUST_LEAD}) & _nominee_q(user, lead, chair)) | (
        Q(**{to: HeadConcernsTo.CHAIR}) & _nominee_q(user, chair, lead)
    )


def concerns_managed_by(user: Viewer) -> QuerySet[Concern]:
    """Concerns about adults the user is case manager of: at schools they head,
    unless the adult named is a head there; those naming a head, where the school
    sends them to this user. Never one naming the user; no restriction narrows it
    (a restriction cannot take a concern away from its case manager)."""
    if not user.is_authenticated:
        return Concern.objects.none()
    about_head = _names_the_head()
    return (
        Concern.objects.filter(route=Concern.Route.HEAD)
        .filter(
            (Q(school__in=schools_where(user, Role.HEAD)) & ~Q(about_head))
            | (Q(about_head) & Q(school__is_active=True) & _head_case_manager_q(user))
        )
        .exclude(pk__in=concerns_naming(user))
    )


def case_managers(concern: Concern) -> QuerySet[User]:
    """Who manages this concern about an adult (concerns_managed_by, seen from the
    concern): for its tasks, notifications and the people it can be handed to."""
    adult = ConcernAboutAdult.objects.filter(concern=concern).first()
    named = adult.person_id if adult is not None else None
    school = School.objects.select_related("trust").get(pk=concern.school_id)
    if named and school.memberships.filter(user=named, role=Role.HEAD).exists():
        lead = school.trust.nominated_lead_id if school.trust else None
        chair = school.chair_of_governors_id
        order = [lead, chair]
        if school.head_concerns_to == HeadConcernsTo.CHAIR:
            order.reverse()
        chosen = [pk for pk in order if pk and pk != named][:1]
        people = User.objects.filter(pk__in=chosen)
    else:
        people = User.objects.filter(
            memberships__school=school, memberships__role=Role.HEAD
        )
    if named:
        people = people.exclude(pk=named)
    return people.filter(is_active=True).distinct()


def concerns_kept_from(user: User) -> QuerySet[Concern, Any]:
    """Concern ids the user's role would reach but must not see: restricted to
    other people (the concern, or a child's file it is about), except those the
    user is case manager of, and every concern naming the user. For the task,
    status and report reads in workflows (a subquery)."""
    restricted = Concern.objects.filter(
        Q(pk__in=hidden_concern_ids(user))
        | Q(
            pk__in=ConcernPupil.objects.filter(pupil__in=hidden_pupil_ids(user)).values(
                "concern"
            )
        )
    ).exclude(pk__in=concerns_managed_by(user).values("pk"))
    return Concern.objects.filter(
        Q(pk__in=restricted.values("pk")) | Q(pk__in=concerns_naming(user))
    ).values("pk")


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


def adults_nameable_by(user: Viewer) -> QuerySet[User]:
    """The people a member of staff may name as the adult a concern is about: the
    active people holding a role at their schools (names only)."""
    if not user.is_authenticated:
        return User.objects.none()
    return (
        User.objects.filter(is_active=True, memberships__school__in=schools_where(user))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def concerns_reported_by(user: Viewer) -> QuerySet[Concern]:
    """The concerns a person reported or recorded (for someone on paper), for "My
    reports": reference, form, when and status only. Case content is not selected."""
    if not user.is_authenticated:
        return Concern.objects.none()
    return (
        Concern.objects.filter(Q(reported_by=user) | Q(recorded_by=user))
        .only(
            "pk",
            "form_title",
            "submitted_at",
            "status",
            "school_id",
            "school_reference",
        )
        .order_by("-submitted_at", "-pk")
    )


def concerns_workable_by(user: Viewer) -> QuerySet[Concern]:
    """Concerns the user works: the DSL team's concerns at schools where they are a
    DSL or deputy, less any restricted to other people (the concern, or a child's
    file it is about); the concerns about adults they are case manager of
    (concerns_managed_by: no restriction narrows these). Never one naming them."""
    if not user.is_authenticated:
        return Concern.objects.none()
    dsl_team = (
        Concern.objects.filter(
            route=Concern.Route.DSL_TEAM, school__in=schools_where(user, *CASE_ROLES)
        )
        .exclude(pk__in=hidden_concern_ids(user))
        .exclude(
            pk__in=ConcernPupil.objects.filter(pupil__in=hidden_pupil_ids(user)).values(
                "concern"
            )
        )
    )
    return Concern.objects.filter(
        Q(pk__in=dsl_team.values("pk"))
        | Q(pk__in=concerns_managed_by(user).values("pk"))
    ).exclude(pk__in=concerns_naming(user))


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
        # A child's file opened: the DSL team's concerns about them. Concerns about
        # adults are kept apart from children's files (their case manager's).
        | Q(
            route=Concern.Route.DSL_TEAM,
            pk__in=ConcernPupil.objects.filter(pupil__in=glass.values("pupil")).values(
                "concern"
            ),
        )
    ).exclude(pk__in=concerns_naming(user))


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
        .exclude(pk__in=concerns_naming(user))
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
    the people a task can be handed to. Never the adult a concern names; a
    concern about an adult reaches its case managers whatever is restricted."""
    if concern is not None:
        users = users.exclude(
            pk__in=ConcernAboutAdult.objects.filter(concern=concern)
            .exclude(person__isnull=True)
            .values("person")
        )
        if concern.route == Concern.Route.HEAD:
            return users.filter(pk__in=case_managers(concern).values("pk"))
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
