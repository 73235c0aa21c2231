"""Reads of children's records, filtered to what the user may see."""

from django.db.models import Q

from accounts.models import Role
from accounts.selectors import CASE_ROLES, schools_where

from .models import Concern, ConcernAttachment, Pupil


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
    """The concerns a person reported or recorded (for someone on paper), for "My
    reports": reference, form, when and status only. Case content is not selected."""
    if not user.is_authenticated:
        return Concern.objects.none()
    return (
        Concern.objects.filter(Q(reported_by=user) | Q(recorded_by=user))
        .only("pk", "form_title", "submitted_at", "status", "school_id")
        .order_by("-submitted_at", "-pk")
    )


def concerns_visible_to(user):
    """Concerns whose content the user may read: the DSL team's concerns at schools
    where they are a DSL or deputy; concerns about adults at schools they head."""
    if not user.is_authenticated:
        return Concern.objects.none()
    return Concern.objects.filter(
        Q(route=Concern.Route.DSL_TEAM, school__in=schools_where(user, *CASE_ROLES))
        | Q(route=Concern.Route.HEAD, school__in=schools_where(user, Role.HEAD))
    )


def attachments_visible_to(user):
    return ConcernAttachment.objects.filter(concern__in=concerns_visible_to(user))


def pupil_concerns(pupil, *, user):
    """The concerns about this child the user may read, newest first."""
    return (
        concerns_visible_to(user)
        .filter(involvements__pupil=pupil)
        .order_by("-submitted_at")
    )
