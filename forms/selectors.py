"""Reads of the concern forms, filtered to what the user may see or edit."""

from django.db.models import Q, QuerySet

from accounts.selectors import Viewer

from .models import ConcernFormPage, FormSection


def form_sections_offered_to(user: Viewer) -> QuerySet[FormSection]:
    """The sections whose forms a member of staff may fill in."""
    return FormSection.objects.offered_to(user).order_by("path")


def form_sections_editable_by(user: Viewer) -> QuerySet[FormSection]:
    """The sections whose forms a configurator builds (forms.permissions gives
    them the page rights there and nowhere else)."""
    if not user.is_authenticated or not user.is_active:
        return FormSection.objects.none()
    return FormSection.objects.editable_by(user).order_by("path")


def forms_under(sections: QuerySet[FormSection]) -> QuerySet[ConcernFormPage]:
    """Every concern form (live or not) in these sections."""
    paths = list(sections.values_list("path", flat=True))
    if not paths:
        return ConcernFormPage.objects.none()
    under = Q()
    for path in paths:
        under |= Q(path__startswith=path)
    return ConcernFormPage.objects.filter(under)


def concern_forms_for(user: Viewer) -> QuerySet[ConcernFormPage]:
    """The live concern forms a member of staff may fill in: their schools' own
    and the ones their trust shares. The trust's shared forms come first."""
    return (
        forms_under(form_sections_offered_to(user)).filter(live=True).order_by("path")
    )
