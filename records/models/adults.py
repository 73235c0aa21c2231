"""The adult a concern is about (KCSIE Part 4): who they are, how the reporter knows
them, and whether it is a low-level concern or an allegation.

One row per concern routed to the case manager (Concern.Route.HEAD). The person it
names is what conflict of interest keys on: someone named here never opens, is
assigned, breaks glass into or is sent the content of the concern
(records.selectors)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .concerns import Concern


class AdultConcernKind(models.TextChoices):
    LOW_LEVEL = "low_level", _("Low-level concern")
    ALLEGATION = "allegation", _("Allegation that may meet the harm threshold")


class AdultRole(models.TextChoices):
    STAFF = "staff", _("Member of staff")
    VOLUNTEER = "volunteer", _("Volunteer")
    CONTRACTOR = "contractor", _("Contractor")
    VISITOR = "visitor", _("Visitor")
    GOVERNOR = "governor", _("Governor or trustee")
    OTHER = "other", _("Other adult working with children")


class ConcernAboutAdult(models.Model):
    """The adult a concern names. A member of staff is chosen from the school's
    people (`person`); anyone else is typed in (`name`). The name is always kept as
    recorded, so the record reads the same if the account is later removed."""

    concern = models.OneToOneField(
        Concern,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="about_adult",
        verbose_name=_("concern"),
    )
    kind = models.CharField(
        _("kind of concern"), max_length=20, choices=AdultConcernKind.choices
    )
    person = models.ForeignKey(
        "accounts.User",
        verbose_name=_("member of staff"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns_naming_me",
        help_text=_("When the adult has an account: conflict of interest keys on it."),
    )
    name = models.CharField(_("name of the adult"), max_length=200)
    role = models.CharField(_("their role"), max_length=20, choices=AdultRole.choices)
    job_title = models.CharField(
        _("job title or what they do"), max_length=200, blank=True
    )
    reporter_relationship = models.CharField(
        _("your relationship to them"),
        max_length=200,
        help_text=_("For example: line manager, colleague, parent of a pupil."),
    )

    class Meta:
        verbose_name = _("concern about an adult")
        verbose_name_plural = _("concerns about adults")
        indexes = [models.Index(fields=["person"], name="adult_concern_person")]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self):
        if self.role == AdultRole.STAFF and not self.person_id and not self.name:
            raise ValidationError({"person": _("Choose the member of staff.")})
