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


class ConcernFigure(models.Model):
    """How many concerns of the DSL team's route one school had on one day, by one
    dimension of the report (reports.rollups keeps it; reports.queries reads it).

    Kept in the transaction that changes a concern, so the reports' figures are
    never a day behind; `manage.py reports_rollup` rebuilds or checks them. Only
    concerns routed to the DSL team are counted here: concerns about adults (and a
    viewer's own exclusions) are added or taken away live, per viewer."""

    class Dimension(models.TextChoices):
        ALL = "all", _("all concerns")
        URGENT = "urgent", _("reported as immediate risk")
        CATEGORY = "category", _("category")
        LOCATION = "location", _("where")
        HOUR = "hour", _("hour of the day")

    school = models.ForeignKey(
        "accounts.School",
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    day = models.DateField(_("date of the incident"))
    dimension = models.CharField(_("counted by"), max_length=12, choices=Dimension)
    key = models.IntegerField(
        _("value"),
        help_text=_(
            "The category's or place's id, the hour (-1: no time recorded), or 0."
        ),
    )
    concerns = models.IntegerField(_("concerns"), default=0)

    class Meta:
        verbose_name = _("concern figure")
        verbose_name_plural = _("concern figures")
        constraints = [
            # Leading with the dimension: a report reads one dimension of some
            # schools over a date range, from this index alone.
            models.UniqueConstraint(
                fields=["dimension", "school", "day", "key"],
                name="unique_concern_figure",
            )
        ]

    def __str__(self):
        where = f"{self.school_id} {self.day} {self.dimension}={self.key}"
        return f"{where}: {self.concerns}"
