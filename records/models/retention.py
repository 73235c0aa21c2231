"""Keeping and destroying files: legal holds and destruction certificates."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .pupils import Pupil


class LegalHold(models.Model):
    """A reason the file must not be destroyed (an inquiry, litigation, a police
    investigation): while one is in place, the retention review cannot destroy it."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="holds")
    reason = models.TextField(_("why the file must be kept"))
    placed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    lifted_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.TextField(_("why it was lifted"), blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at", "-pk"]

    def __str__(self):
        return self.reason[:60]


class DestructionCertificate(models.Model):
    """What is left of a destroyed file: what it was (initials, UPN, year of birth,
    how many records), when, who and why. Nothing else can delete a file."""

    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, related_name="+"
    )
    upn = models.CharField(_("UPN"), max_length=13)
    initials = models.CharField(_("initials"), max_length=10)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    records = models.JSONField(_("records destroyed"), default=dict)
    reason = models.TextField(_("why"))
    destroyed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    destroyed_at = models.DateTimeField(_("destroyed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("destruction certificate")
        verbose_name_plural = _("destruction certificates")
        ordering = ["-destroyed_at", "-pk"]

    def __str__(self):
        destroyed = timezone.localtime(self.destroyed_at)
        return f"{self.initials} {self.upn} ({destroyed:%d %b %Y})"
