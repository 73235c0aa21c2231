"""Writes for users, schools, roles and school calendars. Keyword-only, atomic,
validated."""

from datetime import date
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    ClosureKind,
    Membership,
    PendingRoleGrant,
    Role,
    School,
    SchoolClosureDay,
    SchoolTerm,
    User,
)
from .roles import group_for
from .selectors import (
    CONFIRMED_ROLES,
    calendar_schools,
    confirmers_of,
    may_confirm,
    role_keeping_schools,
)
from .signals import RoleChange, calendar_changed, role_changed


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


class RoleGiven(StrEnum):
    """What role_give did."""

    GIVEN = "given"  # the person holds it now
    ALREADY = "already"  # they held it already: nothing changed
    WAITING = "waiting"  # proposed: it waits for a second person at the school


def _check_may_hold(user: User, actor: User | None) -> None:
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(
            _(
                "You can't give yourself a role. Ask another DSL or the head to "
                "give it to you."
            )
        )
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


def _needs_confirming(
    user: User, role: Role, actor: User | None, school: School
) -> bool:
    """The DSL, deputy and head roles always wait for a second person; so does any
    role a system administrator gives (an account they make has no role until the
    school confirms one). On the server (no actor) a school that nobody could
    confirm for yet, one being set up, gets its first people directly."""
    if actor is None:
        probe = PendingRoleGrant(user=user, school=school, role=role)
        return confirmers_of(probe).exists()
    return role in CONFIRMED_ROLES or actor.is_superuser


def _announce(
    *,
    school: School,
    person: User,
    role: Role | str,
    change: RoleChange,
    actor: User | None,
    confirmed_by: User | None = None,
    grant: PendingRoleGrant | None = None,
) -> None:
    role_changed.send(
        sender=Membership,
        school=school,
        person=person,
        role=Role(role),
        change=change,
        actor=actor,
        confirmed_by=confirmed_by,
        grant=grant,
    )


@transaction.atomic
def role_give(
    *, user: User, school: School, role: Role | str, actor: User | None = None
) -> tuple[Membership | PendingRoleGrant, RoleGiven]:
    """Give `user` the role at the school, or propose it for a second person at
    the school to confirm (a PendingRoleGrant, which grants nothing yet).

    Returns (membership or grant, what happened). A double submit gives or
    proposes it once. Refused (ValidationError) for the actor themselves (nobody
    gives themselves a role), for a system administrator's account (it must stay
    without case content; they use break-glass access) and for a deactivated
    account."""
    _check_keeps_roles(actor, school)
    _check_may_hold(user, actor)
    role = Role(role)
    existing = user.memberships.filter(school=school, role=role).first()
    if existing:
        return existing, RoleGiven.ALREADY
    if _needs_confirming(user, role, actor, school):
        return _propose(user=user, school=school, role=role, actor=actor)
    membership = membership_grant(user=user, school=school, role=role)
    _announce(
        school=school, person=user, role=role, change=RoleChange.GIVEN, actor=actor
    )
    return membership, RoleGiven.GIVEN


def _propose(
    *, user: User, school: School, role: Role, actor: User | None
) -> tuple[PendingRoleGrant, RoleGiven]:
    waiting = PendingRoleGrant.objects.filter(
        user=user, school=school, role=role, outcome=PendingRoleGrant.Outcome.WAITING
    ).first()
    if waiting:
        return waiting, RoleGiven.WAITING
    grant = PendingRoleGrant(user=user, school=school, role=role, proposed_by=actor)
    grant.full_clean()
    grant.save()
    _announce(
        school=school,
        person=user,
        role=role,
        change=RoleChange.PROPOSED,
        actor=actor,
        grant=grant,
    )
    return grant, RoleGiven.WAITING


def _decide(grant: PendingRoleGrant, actor: User) -> PendingRoleGrant:
    """Lock the grant; refuse anyone who may not decide it, or a second decision."""
    locked = PendingRoleGrant.objects.select_for_update().get(pk=grant.pk)
    if not locked.is_waiting:
        raise ValidationError(
            _("%(by)s has already %(outcome)s this role.")
            % {
                "by": locked.decided_by or _("someone"),
                "outcome": locked.get_outcome_display().lower(),
            }
        )
    if not may_confirm(actor, locked):
        raise PermissionDenied
    return locked


@transaction.atomic
def role_grant_confirm(*, grant: PendingRoleGrant, actor: User) -> Membership:
    """The second person confirms a proposed role: only now does the person hold
    it. Refused (PermissionDenied) for anyone selectors.confirmers_of leaves out —
    the person who proposed it and the person it is for among them."""
    grant = _decide(grant, actor)
    _check_may_hold(grant.user, None)
    membership = membership_grant(user=grant.user, school=grant.school, role=grant.role)
    grant.outcome = PendingRoleGrant.Outcome.CONFIRMED
    grant.decided_by, grant.decided_at = actor, timezone.now()
    grant.save()
    _announce(
        school=grant.school,
        person=grant.user,
        role=grant.role,
        change=RoleChange.GIVEN,
        actor=grant.proposed_by,
        confirmed_by=actor,
        grant=grant,
    )
    return membership


@transaction.atomic
def role_grant_decline(*, grant: PendingRoleGrant, actor: User) -> PendingRoleGrant:
    """The second person declines: the person never holds the role; whoever
    proposed it is told."""
    grant = _decide(grant, actor)
    grant.outcome = PendingRoleGrant.Outcome.DECLINED
    grant.decided_by, grant.decided_at = actor, timezone.now()
    grant.save()
    _announce(
        school=grant.school,
        person=grant.user,
        role=grant.role,
        change=RoleChange.DECLINED,
        actor=actor,
        grant=grant,
    )
    return grant


@transaction.atomic
def role_take_away(*, membership: Membership, actor: User | None = None) -> None:
    """Take one role away; the removal is in the audit log with the actor, and the
    school's heads and the trust's leads are told who took it (for a head's role,
    the trust above all)."""
    _check_keeps_roles(actor, membership.school)
    membership_revoke(
        user=membership.user, school=membership.school, role=membership.role
    )
    _announce(
        school=membership.school,
        person=membership.user,
        role=membership.role,
        change=RoleChange.TAKEN_AWAY,
        actor=actor,
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
