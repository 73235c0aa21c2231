"""Reads of children's records, filtered to what the user may see."""

from accounts.selectors import CASE_ROLES, schools_where

from .models import Pupil


def pupils_visible_to(user):
    """Pupils of the schools where the user is a DSL or deputy DSL; nothing else."""
    if not user.is_authenticated:
        return Pupil.objects.none()
    return Pupil.objects.filter(school__in=schools_where(user, *CASE_ROLES))
