"""Reads of the vocabularies: what a school offers on its forms, and who may edit."""

from typing import TYPE_CHECKING

from auditlog import get_logentry_model
from django.db.models import Prefetch, Q, QuerySet

from accounts.models import Role, School
from accounts.selectors import Viewer, roles_of, schools_where

from .models import Term, Vocabulary

if TYPE_CHECKING:  # a models module: not imported while the app registry loads
    from auditlog.models import AbstractLogEntry


def terms_offered(vocabulary: Vocabulary | str, *, school: School) -> QuerySet[Term]:
    """Active terms a form at this school offers, in the DSL's order."""
    return (
        Term.objects.filter(vocabulary=vocabulary)
        .active()
        .for_school(school)
        .order_by("sort_order", "name")
    )


def category_tree(*, school: School) -> QuerySet[Term]:
    """Active main categories with their active sub-categories, two queries."""
    children = terms_offered(Vocabulary.CATEGORY, school=school).filter(
        parent__isnull=False
    )
    return (
        terms_offered(Vocabulary.CATEGORY, school=school)
        .filter(parent__isnull=True)
        .prefetch_related(Prefetch("children", queryset=children, to_attr="offered"))
    )


def can_configure(user: Viewer) -> bool:
    return Role.CONFIGURATOR in roles_of(user)


def configurable_schools(user: Viewer) -> QuerySet[School]:
    return schools_where(user, Role.CONFIGURATOR)


def configures_every_school(user: Viewer) -> bool:
    """Shared terms reach every school, so only someone who configures all of them
    (a trust-wide configurator, or the only school's) may change them."""
    active = School.objects.filter(is_active=True)
    return (
        active.exists()
        and not active.exclude(pk__in=configurable_schools(user)).exists()
    )


def terms_listed_for(
    user: Viewer, queryset: QuerySet[Term] | None = None
) -> QuerySet[Term]:
    """What a configurator sees: the shared terms and their own schools' terms."""
    queryset = Term.objects.all() if queryset is None else queryset
    if not can_configure(user):
        return queryset.none()
    return queryset.filter(
        Q(school__isnull=True) | Q(school__in=configurable_schools(user))
    )


def terms_editable_by(
    user: Viewer, queryset: QuerySet[Term] | None = None
) -> QuerySet[Term]:
    """Their own schools' terms; the shared ones too if they configure every school."""
    queryset = Term.objects.all() if queryset is None else queryset
    if not can_configure(user):
        return queryset.none()
    mine = Q(school__in=configurable_schools(user))
    if configures_every_school(user):
        mine |= Q(school__isnull=True)
    return queryset.filter(mine)


def editable_term_ids(user: Viewer) -> set[int]:
    """terms_editable_by as a set of ids, worked out once per request (the admin
    list asks for every row)."""
    cache = vars(user)
    if "_editable_term_ids" not in cache:
        cache["_editable_term_ids"] = set(
            terms_editable_by(user).values_list("pk", flat=True)
        )
    return cache["_editable_term_ids"]


def term_last_change(term: Term) -> "AbstractLogEntry | None":
    """The audit entry of the term's latest change (who, when), or None for a term
    nobody has changed since Chronicle shipped it."""
    entry = get_logentry_model()
    return (
        entry.objects.get_for_object(term)
        .filter(action__in=[entry.Action.CREATE, entry.Action.UPDATE])
        .select_related("actor")
        .order_by("-timestamp", "-pk")
        .first()
    )
