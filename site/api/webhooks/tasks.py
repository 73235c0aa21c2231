"""The worker's side of webhooks: one task per delivery, never in a request."""

from functools import partial

from django.db import transaction
from django_tasks import task
from django_tasks_db import DatabaseBackend

from .models import WebhookDelivery
from .services import delivery_send


@task()
def deliver_webhook(delivery_pk):
    """Send one delivery. Failing raises, and ops.retries runs it again later
    (1, 3, 9, 27, 81 minutes by default); delivered already, it does nothing."""
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_pk)
        .first()
    )
    if delivery is None or delivery.status == WebhookDelivery.Status.DELIVERED:
        return "nothing to send"
    if not delivery.endpoint.is_active:
        return "endpoint removed"
    delivery_send(delivery=delivery)
    return "delivered"


def queue(delivery_pk: int) -> None:
    """As workflows.tasks.queue_email: an INSERT in the caller's transaction on
    the database backend; after the commit on a backend that runs at once."""
    if isinstance(deliver_webhook.get_backend(), DatabaseBackend):
        deliver_webhook.enqueue(delivery_pk)
    else:
        transaction.on_commit(partial(deliver_webhook.enqueue, delivery_pk))
