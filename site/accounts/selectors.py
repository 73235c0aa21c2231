"""Reads about who may act where. Permission filtering lives here, not in templates."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet

from .models import (
    Membership,
    PendingRoleGrant,
    Role,
    School,
    SchoolClosureDay,
    SchoolTerm,
    User,
)

# Whoever is asking: request.user, signed in or not.
Viewer = User | AnonymousUser

CASE_ROLES = (Role.DSL, Role.DEPUTY_DSL)
# Who keeps a school's calendar (terms and closure days). Configurators don't: the
# calendar moves statutory deadlines, so it stays with the people answerable for them.
CALENDAR_ROLES = (Role.DSL, Role.DEPUTY_DSL, Role.HEAD)


def memberships_of(user: Viewer) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, school__is_active=True).select_related(
        "school", "school__trust"
    )


def roles_of(user: Viewer, *, school: School | None = None) -> set[Role]:
    """The set of Role values the user holds (at one school, or anywhere)."""
    memberships = memberships_of(user)
    if school is not None:
        memberships = memberships.filter(school=school)
    return {Role(role) for role in memberships.values_list("role", flat=True)}


def schools_where(user: Viewer, *roles: Role) -> QuerySet[School]:
    """Schools where the user holds any of the given roles (any role if none given)."""
    memberships = memberships_of(user)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return School.objects.filter(
        pk__in=memberships.values("school"), is_active=True
    ).order_by("name")


def has_a_role(user: Viewer) -> bool:
    """Holds any role at an active school (staff reporting concerns included)."""
    return schools_where(user).exists()


def works_cases(user: Viewer) -> bool:
    """Is on a school's DSL team (DSL or deputy) somewhere."""
    return schools_where(user, *CASE_ROLES).exists()


def calendar_schools(user: Viewer) -> QuerySet[School]:
    """Schools whose calendar the user may keep."""
    return schools_where(user, *CALENDAR_ROLES)


def can_keep_a_calendar(user: Viewer) -> bool:
    return calendar_schools(user).exists()


def terms_editable_by(user: Viewer) -> QuerySet[SchoolTerm]:
    return SchoolTerm.objects.filter(school__in=calendar_schools(user))


def closure_days_editable_by(user: Viewer) -> QuerySet[SchoolClosureDay]:
    return SchoolClosureDay.objects.filter(school__in=calendar_schools(user))


# Who may reset a colleague's two-factor: a DSL, for people at their own school.
TWO_FACTOR_RESET_ROLES = (Role.DSL,)


def can_reset_two_factor(user: Viewer) -> bool:
    return schools_where(user, *TWO_FACTOR_RESET_ROLES).exists()


def users_two_factor_resettable_by(user: User) -> QuerySet[User]:
    """People holding any role at a school where `user` is a DSL: not the DSL
    themselves (they have backup codes) and never a system administrator, whose
    reset stays with `manage.py reset_two_factor` on the server."""
    schools = schools_where(user, *TWO_FACTOR_RESET_ROLES)
    return (
        User.objects.filter(
            is_active=True,
            is_superuser=False,
            memberships__school__in=schools,
        )
        .exclude(pk=user.pk)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# Who may see who holds which role at a school, and who may give and take roles
# there. A school's DSLs answer for who sees its case content, so they keep its
# roles; heads see them; a system administrator (is_superuser) keeps every school's
# roles and, holding none, sees no case content through them.
ROLE_KEEPER_ROLES = (Role.DSL,)
ROLE_VIEWER_ROLES = (Role.DSL, Role.HEAD)


def _every_school_for(user: Viewer) -> bool:
    return user.is_authenticated and user.is_active and user.is_superuser


def role_schools(user: Viewer) -> QuerySet[School]:
    """Schools whose roles the user may see."""
    if _every_school_for(user):
        return School.objects.filter(is_active=True).order_by("name")
    return schools_where(user, *ROLE_VIEWER_ROLES)


def role_keeping_schools(user: Viewer) -> QuerySet[School]:
    """Schools where the user may give and take roles."""
    if _every_school_for(user):
        return School.objects.filter(is_active=True).order_by("name")
    return schools_where(user, *ROLE_KEEPER_ROLES)


def can_see_roles(user: Viewer) -> bool:
    return role_schools(user).exists()


def memberships_visible_to(user: Viewer) -> QuerySet[Membership]:
    """Who holds which role, at the schools whose roles the user may see."""
    return (
        Membership.objects.filter(school__in=role_schools(user))
        .select_related("user", "school")
        .order_by("school__name", "user__last_name", "user__first_name", "role")
    )


def memberships_keepable_by(user: Viewer) -> QuerySet[Membership]:
    return memberships_visible_to(user).filter(school__in=role_keeping_schools(user))


def only_dsl_at(membership: Membership) -> bool:
    """Whether this is the school's last active DSL: without one, what is sent to
    its DSLs reaches no one and only a system administrator can give roles there."""
    return (
        membership.role == Role.DSL
        and not Membership.objects.filter(
            school=membership.school, role=Role.DSL, user__is_active=True
        )
        .exclude(pk=membership.pk)
        .exists()
    )


# -- Trust leads, confirming roles, and who hears of a change -----------------------

# Giving one of these needs a second person at the school (services.role_give):
# each sees case content or oversees it.
CONFIRMED_ROLES = (Role.DSL, Role.DEPUTY_DSL, Role.HEAD)
# Who confirms a role proposed at their school: its heads and DSLs.
CONFIRMER_ROLES = (Role.HEAD, Role.DSL)


def trust_leads_of(school: School) -> QuerySet[User]:
    """The trust's leads for a school: whoever holds the head's role at two or more
    of the trust's active schools (as lead.trust in the demo). A school with no
    trust, or a trust of one school, has none."""
    if school.trust_id is None:
        return User.objects.none()
    return (
        User.objects.filter(
            is_active=True,
            is_superuser=False,
            memberships__role=Role.HEAD,
            memberships__school__trust=school.trust_id,
            memberships__school__is_active=True,
        )
        .annotate(led=Count("memberships__school", distinct=True))
        .filter(led__gte=2)
        .order_by("last_name", "first_name", "username")
    )


def trust_lead_schools(user: Viewer) -> QuerySet[School]:
    """Every active school of the trusts the user leads (see trust_leads_of)."""
    if not user.is_authenticated:
        return School.objects.none()
    led = (
        Membership.objects.filter(
            user=user,
            role=Role.HEAD,
            school__is_active=True,
            school__trust__isnull=False,
        )
        .values("school__trust")
        .annotate(schools=Count("school", distinct=True))
        .filter(schools__gte=2)
        .values("school__trust")
    )
    return School.objects.filter(trust__in=led, is_active=True).order_by("name")


def is_trust_lead(user: Viewer) -> bool:
    return trust_lead_schools(user).exists()


def _active_holders(school: School, *roles: Role) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        memberships__school=school,
        memberships__role__in=roles,
    ).distinct()


def role_change_audience(school: School, role: Role | str) -> QuerySet[User]:
    """Who hears of a role given or taken away at the school: its heads and the
    trust's leads, and, for a role that sees case content or oversees it, its DSLs.
    (The person who made the change is left out by the caller.)"""
    roles = (Role.HEAD, Role.DSL) if role in CONFIRMED_ROLES else (Role.HEAD,)
    return User.objects.filter(
        Q(pk__in=_active_holders(school, *roles).values("pk"))
        | Q(pk__in=trust_leads_of(school).values("pk"))
    ).order_by("last_name", "first_name", "username")


def confirmers_of(grant: PendingRoleGrant) -> QuerySet[User]:
    """Who may confirm or decline a proposed role: a head or DSL of the school other
    than the person who proposed it and the person it is for; where there is none,
    the trust's leads (never those two either)."""
    not_them = [grant.user_id, grant.proposed_by_id]
    at_school = _active_holders(grant.school, *CONFIRMER_ROLES).exclude(pk__in=not_them)
    if at_school.exists():
        return at_school.order_by("last_name", "first_name", "username")
    return trust_leads_of(grant.school).exclude(pk__in=not_them)


def may_confirm(user: Viewer, grant: PendingRoleGrant) -> bool:
    return (
        user.is_authenticated
        and grant.is_waiting
        and confirmers_of(grant).filter(pk=user.pk).exists()
    )


def grants_waiting_for(user: Viewer) -> list[PendingRoleGrant]:
    """Proposed roles this user may confirm, oldest first. Only schools where they
    are a head or DSL, or whose trust they lead, are looked at: a handful of rows."""
    if not user.is_authenticated or user.is_superuser:
        return []
    schools = School.objects.filter(
        Q(pk__in=schools_where(user, *CONFIRMER_ROLES).values("pk"))
        | Q(pk__in=trust_lead_schools(user).values("pk"))
    )
    waiting = (
        PendingRoleGrant.objects.filter(
            outcome=PendingRoleGrant.Outcome.WAITING, school__in=schools
        )
        .select_related("user", "school", "proposed_by")
        .order_by("proposed_at", "pk")
    )
    return [grant for grant in waiting if may_confirm(user, grant)]


def grants_waiting_at(user: Viewer) -> QuerySet[PendingRoleGrant]:
    """Proposed roles still waiting at the schools whose roles the user sees."""
    return (
        PendingRoleGrant.objects.filter(
            outcome=PendingRoleGrant.Outcome.WAITING, school__in=role_schools(user)
        )
        .select_related("user", "school", "proposed_by")
        .order_by("proposed_at", "pk")
    )


def people_nameable_by(user: Viewer) -> QuerySet[User]:
    """The accounts a role keeper may name on the Roles page: people who hold a role
    or are proposed for one at the schools whose roles they keep. Anyone else gets
    the same answer as an account that does not exist, so the page never says who
    has an account elsewhere on the service. A system administrator, who makes the
    accounts, may name any."""
    if _every_school_for(user):
        return User.objects.all()
    schools = role_keeping_schools(user)
    return User.objects.filter(
        Q(memberships__school__in=schools)
        | Q(
            pending_roles__school__in=schools,
            pending_roles__outcome=PendingRoleGrant.Outcome.WAITING,
        )
    ).distinct()
