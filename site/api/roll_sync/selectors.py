"""Reads of roll sync: the service tokens a user may see and manage."""

from django.db.models import QuerySet

from accounts.models import Role, School
from accounts.selectors import Viewer, schools_where

from ..models import ServiceToken

# Who makes and revokes a school's service tokens.
MANAGERS = (Role.DSL,)


def service_token_schools(user: Viewer) -> QuerySet[School]:
    """Schools whose service tokens the user manages (their DSL)."""
    return schools_where(user, *MANAGERS)


def service_tokens_of(school: School) -> QuerySet[ServiceToken]:
    return ServiceToken.objects.filter(school=school).select_related("created_by")


def manages_service_tokens(user: Viewer) -> bool:
    return service_token_schools(user).exists()
