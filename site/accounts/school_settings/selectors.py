"""Who may see and change a school's settings, and whether a concern about its
head has somewhere to go.

Where a concern about the head goes (the chair of governors, the trust's
nominated lead, which of them first) is never the head's to set: a head could
otherwise send concerns about themselves to a friend, or nowhere. The trust's
leads set it for their trust's schools; a school with no trust lead (a
stand-alone school) has it set by a system administrator. Either may choose only
people the school (or trust) has already confirmed in a role, and never a system
administrator's account, so an account an administrator makes cannot become a
case manager. Heads see the settings and the warning, read-only.

The DfE number and bank holiday region are the service's running, not case
content: trust leads and system administrators set them (the region also from the
school calendar, by those who keep it).
"""

from django.db.models import Q, QuerySet

from ..models import Membership, Role, School, Trust, User
from ..selectors import Viewer, schools_where, trust_lead_schools, trust_leads_of


def _is_admin(user: Viewer) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def settings_schools(user: Viewer) -> QuerySet[School]:
    """Schools whose settings page the user may open: the schools they head, their
    trust's schools (trust leads), every active school (system administrator)."""
    if _is_admin(user):
        return School.objects.filter(is_active=True).order_by("name")
    if not user.is_authenticated:
        return School.objects.none()
    return School.objects.filter(
        Q(pk__in=schools_where(user, Role.HEAD).values("pk"))
        | Q(pk__in=trust_lead_schools(user).values("pk"))
    ).order_by("name")


def can_see_school_settings(user: Viewer) -> bool:
    return settings_schools(user).exists()


def may_set_case_managers(user: Viewer, school: School) -> bool:
    """Whether the user sets where concerns about this school's head go: a lead of
    its trust, or, for a school with no trust lead, a system administrator."""
    if not user.is_authenticated or not school.is_active:
        return False
    leads = trust_leads_of(school)
    if leads.exists():
        return leads.filter(pk=user.pk).exists()
    return _is_admin(user)


def may_set_nominated_lead(user: Viewer, trust: Trust | None) -> bool:
    """The trust's nominated lead is set by the trust's leads only."""
    if trust is None or not user.is_authenticated:
        return False
    return trust_lead_schools(user).filter(trust=trust).exists()


def may_set_school_details(user: Viewer, school: School) -> bool:
    """DfE number and bank holiday region: a lead of the school's trust or a
    system administrator."""
    return _is_admin(user) or trust_lead_schools(user).filter(pk=school.pk).exists()


def chair_candidates(school: School) -> QuerySet[User]:
    """Who may be named chair of governors: active people the school has confirmed
    in a role, other than its heads and system administrators."""
    heads = Membership.objects.filter(school=school, role=Role.HEAD).values("user")
    return (
        User.objects.filter(
            is_active=True, is_superuser=False, memberships__school=school
        )
        .exclude(pk__in=heads)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def nominated_lead_candidates(trust: Trust) -> QuerySet[User]:
    """Who may be the trust's nominated lead: active people confirmed in a role at
    one of its active schools, other than system administrators."""
    return (
        User.objects.filter(
            is_active=True,
            is_superuser=False,
            memberships__school__trust=trust,
            memberships__school__is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _nowhere(school: School, heads: set[int]) -> bool:
    lead = school.trust.nominated_lead if school.trust_id and school.trust else None
    chair = school.chair_of_governors
    managers = {person.pk for person in (lead, chair) if person and person.is_active}
    return not managers or any(managers <= {head} for head in heads)


def _heads_by_school(schools: list[School]) -> dict[int, set[int]]:
    heads: dict[int, set[int]] = {school.pk: set() for school in schools}
    for school_id, user_id in Membership.objects.filter(
        school__in=schools, role=Role.HEAD
    ).values_list("school", "user"):
        heads[school_id].add(user_id)
    return heads


def head_concerns_have_nowhere_to_go(school: School) -> bool:
    """Whether a concern about one of the school's heads would reach no case
    manager (records.selectors.case_managers): neither a chair of governors nor a
    trust nominated lead, or the only one there is is a head of the school."""
    return _nowhere(school, _heads_by_school([school])[school.pk])


def schools_with_nowhere_for_head_concerns(user: Viewer) -> list[School]:
    """Of the schools whose settings the user sees, those where a concern about
    the head would reach nobody (for the head's dashboard). Two queries."""
    schools = list(
        settings_schools(user).select_related(
            "trust__nominated_lead", "chair_of_governors"
        )
    )
    heads = _heads_by_school(schools)
    return [school for school in schools if _nowhere(school, heads[school.pk])]
