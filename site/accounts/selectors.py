"""Reads about who may act where. Permission filtering lives here, not in templates."""

from .models import Membership, Role, School, SchoolClosureDay, SchoolTerm

CASE_ROLES = (Role.DSL, Role.DEPUTY_DSL)
# Who keeps a school's calendar (terms and closure days). Configurators don't: the
# calendar moves statutory deadlines, so it stays with the people answerable for them.
CALENDAR_ROLES = (Role.DSL, Role.DEPUTY_DSL, Role.HEAD)


def memberships_of(user):
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, school__is_active=True).select_related(
        "school", "school__trust"
    )


def roles_of(user, *, school=None):
    """The set of Role values the user holds (at one school, or anywhere)."""
    memberships = memberships_of(user)
    if school is not None:
        memberships = memberships.filter(school=school)
    return {Role(role) for role in memberships.values_list("role", flat=True)}


def schools_where(user, *roles):
    """Schools where the user holds any of the given roles (any role if none given)."""
    memberships = memberships_of(user)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return School.objects.filter(
        pk__in=memberships.values("school"), is_active=True
    ).order_by("name")


def calendar_schools(user):
    """Schools whose calendar the user may keep."""
    return schools_where(user, *CALENDAR_ROLES)


def can_keep_a_calendar(user):
    return calendar_schools(user).exists()


def terms_editable_by(user):
    return SchoolTerm.objects.filter(school__in=calendar_schools(user))


def closure_days_editable_by(user):
    return SchoolClosureDay.objects.filter(school__in=calendar_schools(user))
