"""Reads of webhooks: who manages a school's endpoints, and their delivery log."""

from django.db.models import QuerySet

from accounts.models import Role, School
from accounts.selectors import Viewer, schools_where

from .models import WebhookDelivery, WebhookEndpoint

MANAGERS = (Role.DSL, Role.HEAD)
LOG_LENGTH = 50


def webhook_schools(user: Viewer) -> QuerySet[School]:
    """Schools whose webhooks the user manages (their DSL or head)."""
    return schools_where(user, *MANAGERS)


def manages_webhooks(user: Viewer) -> bool:
    return webhook_schools(user).exists()


def endpoints_of(school: School) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(school=school, is_active=True)


def deliveries_of(school: School) -> QuerySet[WebhookDelivery]:
    """The latest deliveries to the school's endpoints, newest first."""
    return WebhookDelivery.objects.filter(endpoint__school=school).select_related(
        "endpoint"
    )[:LOG_LENGTH]
