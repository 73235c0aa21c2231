"""Reads of webhooks: who manages a school's endpoints, and their delivery log."""

import re

from django.db.models import Q, QuerySet

from accounts.models import Role, School
from accounts.selectors import Viewer, schools_where
from records.selectors import CONCERN_REFERENCE, concerns_visible_to

from .models import WebhookDelivery, WebhookEndpoint

MANAGERS = (Role.DSL, Role.HEAD)
# A concern's reference: the school's own (OAK-000123, or its URN) or the old C000123.
SCHOOL_REFERENCE = re.compile(r"^[A-Z0-9]{1,10}-\d{6}$")
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


def deliveries_shown_to(user: Viewer, school: School) -> list[WebhookDelivery]:
    """The delivery log as the user may read it: a concern's reference is shown
    (as `shown_reference`) only where the user may see that concern, so the log
    never tells an adult that a concern about them exists. Other references (a
    transfer's) are shown as sent."""
    deliveries = list(deliveries_of(school))
    references = {
        str((delivery.payload.get("data") or {}).get("reference") or "")
        for delivery in deliveries
    } - {""}
    concern_refs = {
        ref
        for ref in references
        if SCHOOL_REFERENCE.match(ref) or CONCERN_REFERENCE.match(ref)
    }
    legacy = {
        int(match.group(1))
        for ref in concern_refs
        if (match := CONCERN_REFERENCE.match(ref))
    }
    visible = set()
    if concern_refs:
        for school_reference, pk in (
            concerns_visible_to(user)
            .filter(
                Q(school_reference__in=concern_refs)
                | Q(school_reference="", pk__in=legacy)
            )
            .values_list("school_reference", "pk")
        ):
            visible.add(school_reference or f"C{pk:06d}")
    for delivery in deliveries:
        ref = str((delivery.payload.get("data") or {}).get("reference") or "")
        hidden = ref in concern_refs and ref not in visible
        delivery.shown_reference = "" if hidden else ref  # type: ignore[attr-defined]
    return deliveries
