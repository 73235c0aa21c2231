"""Raising a notice: a delivery per endpoint of the school, queued for the worker
in the caller's transaction (api.webhooks.receivers raise them)."""

from typing import Any

from accounts.models import School

from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from .services import delivery_make
from .tasks import queue


def notice_raise(
    *, event: str, school: School, data: dict[str, Any], dedupe: str = ""
) -> list[WebhookDelivery]:
    """A delivery of this notice to each of the school's active endpoints, queued
    with the caller's transaction. `dedupe` names the thing that happened: the same
    key again makes no second delivery."""
    made = []
    for endpoint in WebhookEndpoint.objects.filter(school=school, is_active=True):
        delivery = delivery_make(endpoint, event, school, data, dedupe)
        if delivery is not None:
            made.append(delivery)
            queue(delivery.pk)
    return made


def test_notice_send(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    delivery = delivery_make(
        endpoint, WebhookEvent.TEST, endpoint.school, {"reference": None}, ""
    )
    assert delivery is not None  # noqa: S101 - no dedupe key, always made
    queue(delivery.pk)
    return delivery
