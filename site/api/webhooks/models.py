"""A school's webhook endpoints and every delivery made to them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    CONCERN_RAISED = "concern.raised", _("A concern was raised")
    TASK_OVERDUE = "task.overdue", _("A task became overdue")
    TRANSFER_RECEIPTED = "transfer.receipted", _("A transfer was receipted")
    TEST = "test", _("Test event")


class WebhookEndpoint(models.Model):
    """Where a school's notices go, and the secret they are signed with (kept as
    given: an HMAC needs the secret itself, so it is stored like a password the
    server must use, and never shown again)."""

    school = models.ForeignKey(
        "accounts.School",
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["school", "-created_at", "-pk"]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One notice to one endpoint: what was sent (content-free), and how each
    attempt went."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILING = "failing", _("Failing, will retry")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    # What happened, where, and the reference: never case content.
    payload = models.JSONField(_("payload"))
    # One notice per thing that happened (a late task is told once per due date).
    dedupe_key = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="unique_webhook_notice",
            )
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint_id}"
