from django.db.models import QuerySet

from accounts.selectors import Viewer, schools_where

from .models import ConcernFormPage


def concern_forms_for(user: Viewer) -> QuerySet[ConcernFormPage]:
    """The live concern forms a member of staff may fill in."""
    if not schools_where(user).exists():
        return ConcernFormPage.objects.none()
    return ConcernFormPage.objects.live().order_by("path")
