"""Writes for users, schools, roles and school calendars. Keyword-only, atomic,
validated."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import (
    ClosureKind,
    Membership,
    Role,
    School,
    SchoolClosureDay,
    SchoolTerm,
    User,
)
from .roles import group_for
from .selectors import calendar_schools, role_keeping_schools
from .signals import calendar_changed, role_granted


@transaction.atomic
def user_sync_role_groups(*, user: User) -> None:
    """Make the user's groups exactly the groups of the roles they hold."""
    held = set(user.memberships.values_list("role", flat=True))
    role_groups = {group_for(role) for role in Role}
    wanted = {group_for(role) for role in held}
    user.groups.remove(*(role_groups - wanted))
    user.groups.add(*wanted)


@transaction.atomic
def membership_grant(*, user: User, school: School, role: Role | str) -> Membership:
    existing = Membership.objects.filter(user=user, school=school, role=role).first()
    if existing:
        return existing
    membership = Membership(user=user, school=school, role=Role(role))
    membership.full_clean()
    membership.save()
    user_sync_role_groups(user=user)
    return membership


@transaction.atomic
def membership_revoke(*, user: User, school: School, role: Role | str) -> None:
    for membership in Membership.objects.filter(user=user, school=school, role=role):
        membership.delete()
    user_sync_role_groups(user=user)


@transaction.atomic
def user_upsert(
    *,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    password: str | None = None,
) -> User:
    """Create the user or bring their details up to date; set the password if given."""
    user = User.objects.filter(username=username).first() or User(username=username)
    user.email, user.first_name, user.last_name = email, first_name, last_name
    if password is not None:
        user.set_password(password)
    user.full_clean(exclude=["password"] if password is None else None)
    user.save()
    return user


def _check_keeps_roles(actor: User | None, school: School) -> None:
    """The views already refuse others; this keeps any other caller honest. No
    actor: the server's own command (manage.py grant_role)."""
    if (
        actor is not None
        and not role_keeping_schools(actor).filter(pk=school.pk).exists()
    ):
        raise PermissionDenied


@transaction.atomic
def role_give(
    *, user: User, school: School, role: Role | str, actor: User | None = None
) -> tuple[Membership, bool]:
    """Give `user` the role at the school; returns (membership, given) where
    `given` is False if they already held it (a double submit gives it once).
    The school's DSLs are told of any role that sees case content or oversees it.

    Refused (ValidationError) for a system administrator, whose account must stay
    without case content (they use break-glass access), and for a deactivated
    account."""
    _check_keeps_roles(actor, school)
    if user.is_superuser:
        raise ValidationError(
            _(
                "%(who)s is a system administrator: their account holds no role at "
                "any school, so that it never sees case content. Give the role to "
                "their everyday account instead."
            )
            % {"who": user}
        )
    if not user.is_active:
        raise ValidationError(
            _("%(who)s's account is deactivated: it can't be given a role.")
            % {"who": user}
        )
    existing = user.memberships.filter(school=school, role=role).first()
    if existing:
        return existing, False
    membership = membership_grant(user=user, school=school, role=role)
    role_granted.send(sender=Membership, membership=membership, actor=actor)
    return membership, True


@transaction.atomic
def role_take_away(*, membership: Membership, actor: User | None = None) -> None:
    """Take one role away; the removal is in the audit log with the actor."""
    _check_keeps_roles(actor, membership.school)
    membership_revoke(
        user=membership.user, school=membership.school, role=membership.role
    )


def _check_keeps_calendar(user: User, school: School) -> None:
    """The views already refuse others; this keeps any other caller honest."""
    if not calendar_schools(user).filter(pk=school.pk).exists():
        raise PermissionDenied


@transaction.atomic
def school_term_add(
    *, school: School, name: str, starts_on: date, ends_on: date, user: User
) -> SchoolTerm:
    """Add a term; refused (ValidationError) if it ends before it starts or overlaps
    another term of the school."""
    _check_keeps_calendar(user, school)
    # Two people adding overlapping terms at once: the second waits, then sees the
    # first (Postgres; SQLite writes one at a time anyway).
    School.objects.select_for_update().filter(pk=school.pk).first()
    term = SchoolTerm(school=school, name=name, starts_on=starts_on, ends_on=ends_on)
    term.full_clean()
    term.save()
    calendar_changed.send(sender=School, school=school)
    return term


@transaction.atomic
def school_term_remove(*, term: SchoolTerm, user: User) -> None:
    _check_keeps_calendar(user, term.school)
    term.delete()
    calendar_changed.send(sender=School, school=term.school)


@transaction.atomic
def school_closure_day_add(
    *,
    school: School,
    date: date,
    kind: ClosureKind | str,
    note: str = "",
    user: User,
) -> SchoolClosureDay:
    """Add a day the school is shut; one per date (ValidationError for a second)."""
    _check_keeps_calendar(user, school)
    closure_day = SchoolClosureDay(school=school, date=date, kind=kind, note=note)
    closure_day.full_clean()
    closure_day.save()
    calendar_changed.send(sender=School, school=school)
    return closure_day


@transaction.atomic
def school_closure_day_remove(*, closure_day: SchoolClosureDay, user: User) -> None:
    _check_keeps_calendar(user, closure_day.school)
    closure_day.delete()
    calendar_changed.send(sender=School, school=closure_day.school)
