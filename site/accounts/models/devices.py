from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RememberedDevice(models.Model):
    """A browser where the user ticked "remember this device" after the code:
    sign-ins there ask the password only until it expires or is revoked (rules in
    accounts.remembered). Only a SHA-256 of the cookie's token is stored; rows
    stay after revocation, for the record of who revoked what."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="remembered_devices",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    label = models.CharField(_("device"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("remembered at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("remembered device")
        verbose_name_plural = _("remembered devices")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at", "expires_at"])]

    def __str__(self):
        return f"{self.label or _('A browser')} ({self.user})"
