from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledRun(models.Model):
    """The last run of one scheduled job, shared by every scheduler process: a job is
    due when its last start is older than its interval, and a scheduler claims the
    run by a conditional update of this row, so two schedulers never both run it.
    Holds no case content: a job's name, times and the error's class."""

    job = models.CharField(_("job"), max_length=40, unique=True)
    started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"), null=True)
    # When the last run that succeeded started: a job that acts on what happened
    # since it last ran (ops.jobs.retention_reviews) starts from here.
    succeeded_at = models.DateTimeField(_("last succeeded"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["job"]

    def __str__(self):
        return self.job
