"""Children on a school's roll."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

upn_validator = RegexValidator(
    r"^[A-Z][0-9]{11}[0-9A-Z]$",
    _(
        "A UPN is 13 characters: a capital letter, eleven digits, then a digit or a "
        "capital letter (for example A123456789012)."
    ),
)


class YearGroup(models.TextChoices):
    NURSERY = "N", _("Nursery")
    RECEPTION = "R", _("Reception")
    Y1 = "1", _("Year 1")
    Y2 = "2", _("Year 2")
    Y3 = "3", _("Year 3")
    Y4 = "4", _("Year 4")
    Y5 = "5", _("Year 5")
    Y6 = "6", _("Year 6")
    Y7 = "7", _("Year 7")
    Y8 = "8", _("Year 8")
    Y9 = "9", _("Year 9")
    Y10 = "10", _("Year 10")
    Y11 = "11", _("Year 11")
    Y12 = "12", _("Year 12")
    Y13 = "13", _("Year 13")


class Sex(models.TextChoices):
    """As recorded in the school's MIS census return."""

    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNKNOWN = "U", _("Not recorded")


class Pupil(models.Model):
    """A child on a school's roll. One file per child, never a family file.

    Profile flags, key contacts and links to related children hang off the pupil in
    their own models (later migrations); the chronology is built from the records
    that name this pupil.
    """

    school = models.ForeignKey(
        "accounts.School",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="pupils",
    )
    upn = models.CharField(
        _("UPN"),
        max_length=13,
        validators=[upn_validator],
        help_text=_("Unique pupil number, as in the MIS."),
    )
    first_name = models.CharField(_("legal first name"), max_length=100)
    last_name = models.CharField(_("legal last name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    year_group = models.CharField(
        _("year group"), max_length=2, choices=YearGroup.choices
    )
    sex = models.CharField(
        _("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN
    )
    date_joined = models.DateField(_("date joined"), null=True, blank=True)
    date_left = models.DateField(
        _("date left"),
        null=True,
        blank=True,
        help_text=_("Leavers are marked, never deleted: their file is kept."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("pupil")
        verbose_name_plural = _("pupils")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "upn"], name="unique_pupil_upn_per_school"
            )
        ]
        indexes = [models.Index(fields=["school", "last_name", "first_name"])]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"

    @property
    def on_roll(self):
        return self.date_left is None
