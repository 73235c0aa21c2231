"""Need to know: restricting a concern or a whole file to named people, and the
break-glass access that opens one for a while, with a reason, for someone else.

A restriction only ever narrows who sees a record: the people named must already
see it by their role (the DSL team of the school; the heads, for a concern about an
adult). Whoever restricts a record stays named on it, so nobody can lock a record
away from everyone. The selectors (records.selectors) apply it everywhere.

Break-glass is read-only and ends by itself after BREAK_GLASS_MINUTES. It is open
to the school's DSL team (for a record restricted to others) and to system
administrators (who see no case content otherwise). Opening one tells the school's
DSLs at once (records.signals.break_glass_opened; the workflow app notifies) and
writes an ACCESS entry to the audit log with the reason.
"""

import re
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.selectors import CASE_ROLES, schools_where
from audit.services import record_access

from .models import BreakGlassAccess, Concern, Pupil, Restriction
from .selectors import (
    concerns_visible_to,
    concerns_workable_by,
    open_break_glass,
    open_restrictions,
    pupils_visible_to,
    pupils_workable_by,
)
from .signals import break_glass_opened

BREAK_GLASS_MINUTES = 60
MIN_REASON = 20  # "checking" is not a reason to open a child's file


# Reads --------------------------------------------------------------------------------


def restriction_of(obj):
    """The restriction in place on a pupil's file or a concern, or None."""
    if isinstance(obj, Pupil):
        found = open_restrictions().filter(pupil=obj)
    else:
        found = open_restrictions().filter(concern=obj)
    return found.prefetch_related("people").select_related("set_by").first()


def eligible_people(obj):
    """Who may be named: those who see the record by their role, at its school."""
    if isinstance(obj, Concern) and obj.route == Concern.Route.HEAD:
        roles = (Role.HEAD,)
    else:
        roles = CASE_ROLES
    return (
        User.objects.filter(
            is_active=True,
            memberships__school=obj.school_id,
            memberships__role__in=roles,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def may_restrict(user, obj):
    """The people who work the record may restrict it (not a break-glass reader)."""
    if isinstance(obj, Pupil):
        return pupils_workable_by(user).filter(pk=obj.pk).exists()
    return concerns_workable_by(user).filter(pk=obj.pk).exists()


def break_glass_of(user):
    """The user's accesses, open ones first, for their break-glass page."""
    return (
        BreakGlassAccess.objects.filter(user=user)
        .select_related("pupil", "concern", "school")
        .order_by("-opened_at", "-pk")
    )


def break_glass_register(user):
    """Every break-glass access at the schools where the user is a DSL, newest
    first, for them to review; None for anyone who is not a DSL."""
    schools = schools_where(user, Role.DSL)
    if not schools.exists():
        return None
    return (
        BreakGlassAccess.objects.filter(school__in=schools)
        .select_related("user", "school", "pupil", "concern")
        .order_by("-opened_at", "-pk")
    )


def can_break_glass(user):
    """System administrators, and the DSL teams (for records restricted to
    others)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or schools_where(user, *CASE_ROLES).exists()


# Writes -------------------------------------------------------------------------------


def _check_reason(reason, field="reason"):
    if not (reason or "").strip():
        raise ValidationError({field: _("Say why.")})


def _check_people(obj, user, people):
    people = {person.pk for person in people} | {user.pk}
    allowed = set(eligible_people(obj).values_list("pk", flat=True))
    outside = people - allowed
    if outside:
        raise ValidationError(
            {
                "people": _(
                    "Only people who already see this record can be named: the "
                    "school's DSL team (or its heads, for a concern about an adult)."
                )
            }
        )
    return people


@transaction.atomic
def restriction_set(*, obj, user, reason, people):
    """Restrict a file or a concern to `people` (the user is always one of them),
    or change who is named on a restriction in place."""
    if not may_restrict(user, obj):
        raise PermissionDenied
    _check_reason(reason)
    named = _check_people(obj, user, people)
    target = {"pupil": obj} if isinstance(obj, Pupil) else {"concern": obj}
    restriction = open_restrictions().select_for_update().filter(**target).first()
    if restriction is None:
        restriction = Restriction(school_id=obj.school_id, set_by=user, **target)
        restriction.reason = reason
        restriction.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                restriction.save()
        except IntegrityError:
            # Someone restricted it at the same moment: change theirs instead.
            restriction = open_restrictions().select_for_update().get(**target)
    if restriction.reason != reason:
        restriction.reason = reason
        restriction.save(update_fields=["reason"])
    restriction.people.set(named)
    record_access(
        obj=obj,
        event="access restricted",
        reason=reason,
        people=sorted(named),
    )
    return restriction


@transaction.atomic
def restriction_lift(*, restriction, user, reason):
    restriction = Restriction.objects.select_for_update().get(pk=restriction.pk)
    if restriction.lifted_at is not None:
        return restriction  # a second click
    if not may_restrict(user, restriction.covers):
        raise PermissionDenied
    _check_reason(reason, "lift_reason")
    restriction.lifted_at = timezone.now()
    restriction.lifted_by = user
    restriction.lift_reason = reason
    restriction.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    record_access(obj=restriction.covers, event="restriction lifted", reason=reason)
    return restriction


def _check_may_break_glass(user, school_id):
    """A system administrator anywhere; the DSL team at their own schools."""
    if not can_break_glass(user):
        raise PermissionDenied
    if not user.is_superuser and not (
        schools_where(user, *CASE_ROLES).filter(pk=school_id).exists()
    ):
        raise PermissionDenied


CONCERN_REFERENCE = re.compile(r"^\s*C?0*(\d{1,9})\s*$", re.IGNORECASE)


def break_glass_target(*, user, school, reference="", upn=""):
    """The record a break-glass request names, at a school the user may ask about,
    or a ValidationError that says what is wrong (never whether it exists
    elsewhere)."""
    _check_may_break_glass(user, school.pk)
    reference, upn = (reference or "").strip(), (upn or "").strip().upper()
    if bool(reference) == bool(upn):
        raise ValidationError(
            _(
                "Give one of them: a concern reference (to open that concern) or "
                "the child's UPN (to open their whole file)."
            )
        )
    if reference:
        match = CONCERN_REFERENCE.match(reference)
        concern = (
            Concern.objects.filter(school=school, pk=int(match.group(1))).first()
            if match
            else None
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


@transaction.atomic
def break_glass_open(*, user, obj, reason, now=None):
    """Open `obj` (a pupil's file or a concern) to the user, read-only, for
    BREAK_GLASS_MINUTES. Refused when they can already see it."""
    now = now or timezone.now()
    _check_may_break_glass(user, obj.school_id)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError(
            {
                "reason": _(
                    "Say why you need to see it, in a sentence the DSLs will "
                    "understand (at least %(n)d characters)."
                )
                % {"n": MIN_REASON}
            }
        )
    visible = (
        pupils_visible_to(user) if isinstance(obj, Pupil) else concerns_visible_to(user)
    )
    if visible.filter(pk=obj.pk).exists():
        raise ValidationError(_("You can already see this record: open it directly."))
    target = {"pupil": obj} if isinstance(obj, Pupil) else {"concern": obj}
    access = BreakGlassAccess.objects.create(
        user=user,
        school_id=obj.school_id,
        reason=reason,
        expires_at=now + timedelta(minutes=BREAK_GLASS_MINUTES),
        **target,
    )
    record_access(obj=obj, event="break-glass opened", reason=reason, access=access.pk)
    break_glass_opened.send(sender=BreakGlassAccess, access=access)
    return access


@transaction.atomic
def break_glass_close(*, access, user):
    """End one's own access early."""
    if access.user_id != user.pk:
        raise PermissionDenied
    if access in open_break_glass(user):
        access.closed_at = timezone.now()
        access.save(update_fields=["closed_at"])
        record_access(obj=access.covers, event="break-glass closed", access=access.pk)
    return access
