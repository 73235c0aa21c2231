"""What raises a notice: a concern saved for the first time, a reminder that a
task is late (once per task and due date, whoever was told), a transfer's receipt
recorded. Model signals, so the lower apps know nothing of webhooks. The notice
says what happened, where, and the reference: never case content."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from records.models import Concern, Transfer
from workflows.models import Notification

from .models import WebhookEvent
from .notices import notice_raise


@receiver(post_save, sender=Concern, dispatch_uid="webhook_concern_raised")
def concern_raised(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        notice_raise(
            event=WebhookEvent.CONCERN_RAISED,
            school=instance.school,
            data={"reference": instance.reference},
            dedupe=f"concern:{instance.pk}",
        )


@receiver(post_save, sender=Notification, dispatch_uid="webhook_task_overdue")
def task_overdue(sender, instance, created, raw=False, **kwargs):
    if not created or raw or instance.kind != Notification.Kind.REMINDER:
        return
    task = instance.task
    if task is None:
        return
    notice_raise(
        event=WebhookEvent.TASK_OVERDUE,
        school=task.school,
        data={
            "reference": task.reference,
            "step": task.step,
            "due_on": task.due_on.isoformat() if task.due_on else None,
        },
        dedupe=f"overdue:{task.pk}:{task.due_on}",
    )


@receiver(post_save, sender=Transfer, dispatch_uid="webhook_transfer_receipted")
def transfer_receipted(sender, instance, created, raw=False, **kwargs):
    if raw or instance.receipt_recorded_at is None:
        return
    notice_raise(
        event=WebhookEvent.TRANSFER_RECEIPTED,
        school=instance.school,
        data={"reference": instance.reference},
        dedupe=f"receipt:{instance.pk}",
    )
