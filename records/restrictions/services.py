"""Need to know, writes: restricting a concern or a whole file to named people,
lifting it, and the break-glass access that opens one for a while, with a reason,
for someone else.

A restriction only ever narrows who sees a record: the people named must already
see it by their role (the DSL team of the school; the heads, for a concern about an
adult). Whoever restricts a record stays named on it, so nobody can lock a record
away from everyone. The selectors (records.selectors) apply it everywhere.

Break-glass is read-only and ends by itself after BREAK_GLASS_MINUTES. It is open
to the school's DSL team (for a record restricted to others) and to system
administrators (who see no case content otherwise). Opening one tells the school's
heads and DSLs other than the person opening it, at once (kept on the access as
`told`; records.signals.break_glass_opened, and the workflow app notifies them),
and writes an ACCESS entry to the audit log with the reason. Nobody breaks glass
into a concern that names them.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import record_access

from ..models import BreakGlassAccess, Concern, Pupil, Restriction
from ..selectors import (
    concerns_naming,
    concerns_visible_to,
    open_break_glass,
    open_restrictions,
    pupils_visible_to,
)
from ..signals import break_glass_opened
from .selectors import (
    Record,
    break_glass_told,
    check_may_break_glass,
    eligible_people,
    may_restrict,
)

BREAK_GLASS_MINUTES = 60
MIN_REASON = 20  # "checking" is not a reason to open a child's file


def _check_reason(reason: str, field: str = "reason") -> None:
    if not (reason or "").strip():
        raise ValidationError({field: _("Say why.")})


def _check_people(obj: Record, user: User, people: Iterable[User]) -> set[int]:
    named = {person.pk for person in people} | {user.pk}
    allowed = set(eligible_people(obj).values_list("pk", flat=True))
    outside = named - allowed
    if outside:
        raise ValidationError(
            {
                "people": _(
                    "Only people who already see this record can be named: the "
                    "school's DSL team (or its heads, for a concern about an adult)."
                )
            }
        )
    return named


@transaction.atomic
def restriction_set(
    *, obj: Record, user: User, reason: str, people: Iterable[User]
) -> Restriction:
    """Restrict a file or a concern to `people` (the user is always one of them),
    or change who is named on a restriction in place."""
    if not may_restrict(user, obj):
        raise PermissionDenied
    _check_reason(reason)
    named = _check_people(obj, user, people)
    target: dict[str, Record] = (
        {"pupil": obj} if isinstance(obj, Pupil) else {"concern": obj}
    )
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
def restriction_lift(
    *, restriction: Restriction, user: User, reason: str
) -> Restriction:
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


@transaction.atomic
def break_glass_open(
    *, user: User, obj: Record, reason: str, now: datetime.datetime | None = None
) -> BreakGlassAccess:
    """Open `obj` (a pupil's file or a concern) to the user, read-only, for
    BREAK_GLASS_MINUTES. Refused when they can already see it, and for a
    concern naming them (conflict of interest: answered as if it did not exist).
    The school's heads and DSLs other than the user are told (break_glass_told),
    and the access keeps who they were."""
    now = now or timezone.now()
    check_may_break_glass(user, obj.school_id)
    naming = concerns_naming(user).filter(concern=obj.pk)
    if isinstance(obj, Concern) and naming.exists():
        raise ValidationError(
            {"reference": _("No concern with that reference at this school.")}
        )
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
    target: dict[str, Record] = (
        {"pupil": obj} if isinstance(obj, Pupil) else {"concern": obj}
    )
    access = BreakGlassAccess.objects.create(
        user=user,
        school_id=obj.school_id,
        reason=reason,
        expires_at=now + datetime.timedelta(minutes=BREAK_GLASS_MINUTES),
        **target,
    )
    access.told.set(break_glass_told(user=user, school_id=obj.school_id, obj=obj))
    record_access(obj=obj, event="break-glass opened", reason=reason, access=access.pk)
    break_glass_opened.send(sender=BreakGlassAccess, access=access)
    return access


@transaction.atomic
def break_glass_close(*, access: BreakGlassAccess, user: User) -> BreakGlassAccess:
    """End one's own access early."""
    if access.user_id != user.pk:
        raise PermissionDenied
    if access in open_break_glass(user):
        access.closed_at = timezone.now()
        access.save(update_fields=["closed_at"])
        record_access(obj=access.covers, event="break-glass closed", access=access.pk)
    return access
