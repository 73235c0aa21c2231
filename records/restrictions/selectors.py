"""Need to know, reads: the restriction on a record, who may be named on one, who
may restrict or break the glass, the break-glass accesses a user may review, and
the record a break-glass request names. The selectors that apply restrictions
everywhere (hidden ids, open restrictions) are in records.selectors."""

from typing import cast

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Role, School, User
from accounts.selectors import CASE_ROLES, schools_where

from ..models import BreakGlassAccess, Concern, ConcernAboutAdult, Pupil, Restriction
from ..selectors import (
    case_managers,
    concerns_naming,
    concerns_with_reference,
    concerns_workable_by,
    open_break_glass,
    open_restrictions,
    pupils_workable_by,
)

AnyUser = User | AnonymousUser
Record = Pupil | Concern  # what a restriction or a break-glass access covers


def restriction_of(obj: Record) -> Restriction | None:
    """The restriction in place on a pupil's file or a concern, or None."""
    if isinstance(obj, Pupil):
        found = open_restrictions().filter(pupil=obj)
    else:
        found = open_restrictions().filter(concern=obj)
    return found.prefetch_related("people").select_related("set_by").first()


def eligible_people(obj: Record) -> QuerySet[User]:
    """Who may be named: those who see the record by their role, at its school;
    for a concern about an adult, its case managers (never the adult named)."""
    if isinstance(obj, Concern) and obj.route == Concern.Route.HEAD:
        return case_managers(obj).order_by("last_name", "first_name", "username")
    return (
        User.objects.filter(
            is_active=True,
            memberships__school=obj.school_id,
            memberships__role__in=CASE_ROLES,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def may_restrict(user: AnyUser, obj: Record) -> bool:
    """The people who work the record may restrict it (not a break-glass reader)."""
    if isinstance(obj, Pupil):
        return pupils_workable_by(user).filter(pk=obj.pk).exists()
    return concerns_workable_by(user).filter(pk=obj.pk).exists()


def break_glass_told(*, user: User, school_id: int, obj: Record) -> QuerySet[User]:
    """Who hears of a break-glass access: the school's heads and DSLs, whoever a
    restriction covering it names, and a concern about an adult's case managers;
    never the person who opened it (however few DSLs there are), nor the adult a
    concern names (they are not told it exists)."""
    target: dict[str, Record] = (
        {"pupil": obj} if isinstance(obj, Pupil) else {"concern": obj}
    )
    named = open_restrictions().filter(**target).values("people")
    told = Q(
        memberships__school=school_id, memberships__role__in=(Role.HEAD, Role.DSL)
    ) | Q(pk__in=named)
    if isinstance(obj, Concern) and obj.route == Concern.Route.HEAD:
        told |= Q(pk__in=case_managers(obj).values("pk"))
    people = User.objects.filter(told, is_active=True).exclude(pk=user.pk)
    if isinstance(obj, Concern):
        people = people.exclude(
            pk__in=ConcernAboutAdult.objects.filter(concern=obj)
            .exclude(person__isnull=True)
            .values("person")
        )
    return people.distinct().order_by("last_name", "first_name", "username")


def break_glass_covering(user: AnyUser, obj: Record) -> BreakGlassAccess | None:
    """The user's open break-glass access that shows them this record (for the
    banner that says who was told)."""
    if not user.is_authenticated:
        return None
    accesses = open_break_glass(user)
    if isinstance(obj, Pupil):
        accesses = accesses.filter(pupil=obj)
    else:
        accesses = accesses.filter(Q(concern=obj) | Q(pupil__involvements__concern=obj))
    return accesses.prefetch_related("told").order_by("-opened_at").first()


def break_glass_of(user: User) -> QuerySet[BreakGlassAccess]:
    """The user's accesses, open ones first, for their break-glass page."""
    return (
        BreakGlassAccess.objects.filter(user=user)
        .select_related("pupil", "concern", "school")
        .order_by("-opened_at", "-pk")
    )


def break_glass_register(user: AnyUser) -> QuerySet[BreakGlassAccess] | None:
    """Every break-glass access at the schools where the user is a DSL, newest
    first, for them to review; None for anyone who is not a DSL."""
    schools = schools_where(user, Role.DSL)
    if not schools.exists():
        return None
    return (
        BreakGlassAccess.objects.filter(school__in=schools)
        # Conflict of interest: never an access to a concern naming the reader.
        .exclude(concern__in=concerns_naming(cast(User, user)))
        .select_related("user", "school", "pupil", "concern")
        .order_by("-opened_at", "-pk")
    )


def can_break_glass(user: AnyUser) -> bool:
    """System administrators, and the DSL teams (for records restricted to
    others)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or schools_where(user, *CASE_ROLES).exists()


def check_may_break_glass(user: AnyUser, school_id: int) -> None:
    """A system administrator anywhere; the DSL team at their own schools."""
    if not can_break_glass(user):
        raise PermissionDenied
    if not user.is_superuser and not (
        schools_where(user, *CASE_ROLES).filter(pk=school_id).exists()
    ):
        raise PermissionDenied


def break_glass_target(
    *, user: AnyUser, school: School, reference: str = "", upn: str = ""
) -> Record:
    """The record a break-glass request names, at a school the user may ask about,
    or a ValidationError that says what is wrong (never whether it exists
    elsewhere)."""
    check_may_break_glass(user, school.pk)
    reference, upn = (reference or "").strip(), (upn or "").strip().upper()
    if bool(reference) == bool(upn):
        raise ValidationError(
            _(
                "Give one of them: a concern reference (to open that concern) or "
                "the child's UPN (to open their whole file)."
            )
        )
    if reference:
        concern = (
            concerns_with_reference(Concern.objects.filter(school=school), reference)
            # Conflict of interest: a concern naming the user is not there for
            # them (the answer is the same as for no concern at all).
            .exclude(pk__in=concerns_naming(cast(User, user)))
            .first()
        )
        if concern is None:
            raise ValidationError(
                {"reference": _("No concern with that reference at this school.")}
            )
        return concern
    pupil = Pupil.objects.filter(school=school, upn=upn).first()
    if pupil is None:
        raise ValidationError({"upn": _("No child with that UPN at this school.")})
    return pupil
