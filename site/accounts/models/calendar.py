from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .core import School


class SchoolTerm(models.Model):
    """A term (or half term) at one school: the days its school-day clocks count.

    Terms at a school never overlap; the holidays are the gaps between them. Days the
    school is shut inside a term are SchoolClosureDay rows. accounts.calendar reads
    both.
    """

    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="school_terms",
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("For example “Autumn 1 2026”.")
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("school term")
        verbose_name_plural = _("school terms")
        ordering = ["school_id", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="school_term_ends_after_it_starts",
                violation_error_message=_(
                    "The last day of a term can't be before its first day."
                ),
            )
        ]

    def __str__(self):
        starts, ends = (date_format(d, "j M Y") for d in (self.starts_on, self.ends_on))
        return f"{self.name} ({starts} to {ends})"

    def clean(self):
        if self.starts_on is None or self.ends_on is None:
            return  # the missing date has its own error
        if self.ends_on < self.starts_on:
            raise ValidationError(
                {"ends_on": _("The last day of a term can't be before its first day.")}
            )
        clash = self.overlapping_terms().first()
        if clash is not None:
            raise ValidationError(
                _(
                    "These dates overlap %(term)s. Terms at a school can't overlap: "
                    "change the dates, or remove the other term first."
                )
                % {"term": clash}
            )

    def overlapping_terms(self):
        if self.school_id is None:
            return SchoolTerm.objects.none()
        return SchoolTerm.objects.filter(
            school_id=self.school_id,
            starts_on__lte=self.ends_on,
            ends_on__gte=self.starts_on,
        ).exclude(pk=self.pk)


class ClosureKind(models.TextChoices):
    INSET = "inset", _("INSET (training) day")
    BANK_HOLIDAY = "bank_holiday", _("Bank holiday")
    OTHER = "other", _("Other closure (e.g. polling day)")


class SchoolClosureDay(models.Model):
    """A weekday the school is shut. Inside a term it is not a school day; a bank
    holiday is also not a working day, for agency deadlines that run in the holidays
    (accounts.calendar.add_working_days)."""

    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="closure_days",
    )
    date = models.DateField(_("date"))
    kind = models.CharField(
        _("kind"), max_length=20, choices=ClosureKind.choices, default=ClosureKind.INSET
    )
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("Optional, for example “Polling day”."),
    )

    class Meta:
        verbose_name = _("school closure day")
        verbose_name_plural = _("school closure days")
        ordering = ["school_id", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "date"],
                name="unique_school_closure_day",
                violation_error_message=_(
                    "This school already has a closure day on that date."
                ),
            )
        ]

    def __str__(self):
        return f"{date_format(self.date, 'D j M Y')}: {self.get_kind_display()}"

    def clean(self):
        if self.date is not None and self.date.weekday() >= 5:
            raise ValidationError(
                {
                    "date": _(
                        "%(date)s is a weekend: weekends are never school days, so "
                        "there is nothing to close."
                    )
                    % {"date": date_format(self.date, "l j F Y")}
                }
            )
