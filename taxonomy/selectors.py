"""Reads of the vocabularies: what a school offers on its forms, and who may edit."""

from django.db.models import Prefetch

from accounts.models import Role
from accounts.selectors import roles_of, schools_where

from .models import Term, Vocabulary


def terms_offered(vocabulary, *, school):
    """Active terms a form at this school offers, in the DSL's order."""
    return (
        Term.objects.filter(vocabulary=vocabulary)
        .active()
        .for_school(school)
        .order_by("sort_order", "name")
    )


def category_tree(*, school):
    """Active main categories with their active sub-categories, two queries."""
    children = terms_offered(Vocabulary.CATEGORY, school=school).filter(
        parent__isnull=False
    )
    return (
        terms_offered(Vocabulary.CATEGORY, school=school)
        .filter(parent__isnull=True)
        .prefetch_related(Prefetch("children", queryset=children, to_attr="offered"))
    )


def can_configure(user):
    return Role.CONFIGURATOR in roles_of(user)


def configurable_schools(user):
    return schools_where(user, Role.CONFIGURATOR)


def terms_editable_by(user, queryset=None):
    """The shared terms and those of the schools the user configures."""
    queryset = Term.objects.all() if queryset is None else queryset
    if not can_configure(user):
        return queryset.none()
    return queryset.filter(school__isnull=True) | queryset.filter(
        school__in=configurable_schools(user)
    )
