"""Reads of children's records, filtered to what the user may see."""

from accounts.selectors import CASE_ROLES, schools_where

from .models import Concern, Pupil


def pupils_visible_to(user):
    """Pupils of the schools where the user is a DSL or deputy DSL; nothing else."""
    if not user.is_authenticated:
        return Pupil.objects.none()
    return Pupil.objects.filter(school__in=schools_where(user, *CASE_ROLES))


def pupils_reportable_by(user):
    """Pupils a member of staff may name in a concern: those on roll at their schools.
    Only identity is exposed through this (name, UPN, year), never the file."""
    if not user.is_authenticated:
        return Pupil.objects.none()
    return Pupil.objects.filter(
        school__in=schools_where(user), date_left__isnull=True
    ).select_related("school")


def concerns_reported_by(user):
    """The reporter's own concerns, for "My reports": reference, form, when and
    status only. Case content is not selected."""
    if not user.is_authenticated:
        return Concern.objects.none()
    return (
        Concern.objects.filter(reported_by=user)
        .only("pk", "form_title", "submitted_at", "status", "school_id")
        .order_by("-submitted_at", "-pk")
    )
