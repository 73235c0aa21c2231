from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in to Chronicle: staff, DSLs, heads, trust leaders, admins.

    What someone may do comes from their Membership of each school, not from flags on
    the user; is_superuser is for the system administrator only.
    """

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username


class Trust(models.Model):
    """A multi-academy trust (or local authority) hosting several schools."""

    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("trust")
        verbose_name_plural = _("trusts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class School(models.Model):
    """A school: every case record belongs to exactly one."""

    trust = models.ForeignKey(
        Trust,
        verbose_name=_("trust"),
        on_delete=models.PROTECT,
        related_name="schools",
        null=True,
        blank=True,
    )
    name = models.CharField(_("name"), max_length=200)
    urn = models.CharField(
        _("URN"),
        max_length=10,
        unique=True,
        help_text=_("The school's unique reference number (GIAS)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    STAFF = "staff", _("Staff")
    DSL = "dsl", _("Designated safeguarding lead")
    DEPUTY_DSL = "deputy_dsl", _("Deputy DSL")
    HEAD = "head", _("Headteacher / manager")
    CONFIGURATOR = "configurator", _("Configurator (forms and categories)")


class Membership(models.Model):
    """A user's role at one school. A person can hold several roles and schools."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["school__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school", "role"], name="unique_membership_role"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.school}"
