"""Writes of webhooks: registering an endpoint, raising a notice (a delivery per
endpoint, queued for the worker in the same transaction), sending one delivery."""

import json
import urllib.error
import urllib.request

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import School, User

from ..conf import api_setting
from .models import WebhookDelivery, WebhookEndpoint
from .signing import HEADER, signature

TIMEOUT = 10  # seconds a receiver has to answer


class DeliveryFailed(Exception):
    """Raised by the task so ops.retries tries again later (with backoff)."""


def endpoint_register(
    *, school: School, user: User, url: str, secret: str
) -> WebhookEndpoint:
    if api_setting("CHRONICLE_WEBHOOK_HTTPS_ONLY") and not url.lower().startswith(
        "https://"
    ):
        raise ValidationError({"url": _("Use an https:// address.")})
    if len(secret) < 16:
        raise ValidationError({"secret": _("Use a secret of 16 characters or more.")})
    endpoint = WebhookEndpoint(school=school, url=url, secret=secret, created_by=user)
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def endpoint_remove(*, endpoint: WebhookEndpoint) -> None:
    endpoint.is_active = False
    endpoint.save(update_fields=["is_active"])


def delivery_make(endpoint, event, school, data, dedupe):
    """The delivery of one notice to one endpoint, or None if `dedupe` was told."""
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint, event=event, payload={}, dedupe_key=dedupe
            )
    except IntegrityError:  # told already
        return None
    delivery.payload = {
        "id": delivery.pk,
        "event": str(event),
        "occurred_at": timezone.now().isoformat(),
        "school": {"id": school.pk, "name": school.name, "urn": school.urn},
        "data": data,
    }
    delivery.save(update_fields=["payload"])
    return delivery


def delivery_send(*, delivery: WebhookDelivery) -> None:
    """POST the notice, signed; record the attempt. A refusal or no answer raises
    DeliveryFailed (the worker retries)."""
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = int(timezone.now().timestamp())
    request = urllib.request.Request(  # noqa: S310 - the URL is checked at registration
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Chronicle-Webhooks/1",
            HEADER: signature(delivery.endpoint.secret, timestamp, body),
            "Chronicle-Event": delivery.event,
            "Chronicle-Delivery": str(delivery.pk),
        },
    )
    delivery.attempts += 1
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
            delivery.last_status_code = answer.status
    except urllib.error.HTTPError as refused:
        _failed(delivery, f"HTTP {refused.code}", refused.code)
    except (urllib.error.URLError, OSError) as error:
        _failed(delivery, str(getattr(error, "reason", error))[:500], None)
    delivery.status = WebhookDelivery.Status.DELIVERED
    delivery.delivered_at = timezone.now()
    delivery.last_error = ""
    delivery.save()


def _failed(delivery, error, code):
    delivery.status = WebhookDelivery.Status.FAILING
    delivery.last_error = error
    delivery.last_status_code = code
    delivery.save()
    raise DeliveryFailed(f"delivery {delivery.pk}: {error}")
