from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PinnedReport(models.Model):
    """A report view a user keeps one click away ("Sexual harassment and
    child-on-child abuse, this year"): its filters, as the URL's query string, so the
    figures are always worked out afresh under the user's current permissions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="pinned_reports",
    )
    title = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("pinned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pinned report")
        verbose_name_plural = _("pinned reports")
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "query"], name="unique_pinned_report_per_user"
            )
        ]

    def __str__(self):
        return self.title
