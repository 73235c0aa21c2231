from django.conf import settings
from django.contrib.auth.hashers import is_password_usable
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from ..credentials import credentials_reset_followup


class User(AbstractUser):
    """A person who signs in to Chronicle: staff, DSLs, heads, trust leaders, admins.

    What someone may do comes from their Membership of each school, not from flags on
    the user; is_superuser is for the system administrator only.
    """

    credentials_reset_at = models.DateTimeField(
        _("signed out everywhere at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the password or two-factor was last changed or reset: every "
            "session and API token from before then no longer works."
        ),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret=None):
        """Every session carries this HMAC and ends when it no longer matches.
        Django's covers the password hash only, so a new password signs out other
        sessions but a two-factor reset would not: ours also covers the time of
        the last reset. Unchanged for a user never reset, so existing sessions
        survive the upgrade."""
        if self.credentials_reset_at is None:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}|{self.credentials_reset_at.isoformat()}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def save(self, *args, **kwargs):
        """A new password (set_password, by the user, an admin or a reset link)
        signs the user out everywhere and revokes their API tokens."""
        new_password = self._password is not None and self._had_a_password()
        if new_password:
            self.credentials_reset_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {
                    *kwargs["update_fields"],
                    "credentials_reset_at",
                }
        super().save(*args, **kwargs)
        if new_password:
            credentials_reset_followup(user=self, reason="password changed")

    def _had_a_password(self):
        """A first password (a new account) replaces nothing: no one to sign out."""
        if self._state.adding:
            return False
        stored = (
            type(self)
            .objects.filter(pk=self.pk)
            .values_list("password", flat=True)
            .first()
        )
        return bool(stored) and is_password_usable(stored)


def optional_person(
    verbose_name, *, on_delete, **options
) -> "models.ForeignKey[User | None, User | None]":
    """A person a record may name, or not (a trust's lead, who confirmed a role):
    nullable, optional in forms, and no reverse accessor on User (`related_name="+"`:
    a user has no use for "every trust I lead")."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name="+",
        **options,
    )


class Trust(models.Model):
    """A multi-academy trust (or local authority) hosting several schools."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    nominated_lead = optional_person(
        _("nominated lead for concerns about heads"),
        on_delete=models.SET_NULL,
        help_text=_(
            "The trust's nominated person (KCSIE Part 4): case manager for a concern "
            "about the head of one of its schools."
        ),
    )

    class Meta:
        verbose_name = _("trust")
        verbose_name_plural = _("trusts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class HeadConcernsTo(models.TextChoices):
    """Who is case manager when a concern about an adult names the head."""

    TRUST_LEAD = "trust_lead", _("The trust's nominated lead")
    CHAIR = "chair", _("The chair of governors")


class BankHolidayRegion(models.TextChoices):
    """The UK's three sets of bank holidays (accounts.bank_holidays)."""

    ENGLAND_AND_WALES = "england_wales", _("England and Wales")
    SCOTLAND = "scotland", _("Scotland")
    NORTHERN_IRELAND = "northern_ireland", _("Northern Ireland")


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
    # KCSIE Part 4: a concern about the head goes to the chair of governors
    # (maintained schools) or the trust's nominated person (academies). When the
    # one chosen is missing, or is the adult the concern names, it goes to the
    # other (records.selectors.case_managers).
    head_concerns_to = models.CharField(
        _("concerns about the head go to"),
        max_length=20,
        choices=HeadConcernsTo.choices,
        default=HeadConcernsTo.TRUST_LEAD,
    )
    chair_of_governors = optional_person(
        _("chair of governors"), on_delete=models.SET_NULL
    )
    dfe_number = models.CharField(
        _("DfE number"),
        max_length=7,
        blank=True,
        validators=[
            RegexValidator(
                r"^[0-9]{7}$",
                _("Seven digits: the LA number then the establishment number."),
            )
        ],
        help_text=_(
            "LA number and establishment number (LAESTAB, e.g. 8232000), as a "
            "Common Transfer File names the school: the pupil import accepts a CTF "
            "only when it is addressed to this school."
        ),
    )
    reference_code = models.CharField(
        _("reference code"),
        max_length=6,
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Z][A-Z0-9]{1,5}$",
                _("Two to six capital letters or digits, starting with a letter."),
            )
        ],
        help_text=_(
            "Starts the school's concern references, e.g. OAK for OAK-000123. Each "
            "school numbers its own concerns from 1, so a reference says nothing "
            "about other schools. Empty: the school's URN is used."
        ),
    )
    region = models.CharField(
        _("bank holiday region"),
        max_length=20,
        choices=BankHolidayRegion.choices,
        default=BankHolidayRegion.ENGLAND_AND_WALES,
        help_text=_("Whose bank holidays the school calendar is filled with."),
    )

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference_code"],
                condition=~models.Q(reference_code=""),
                name="unique_school_reference_code",
                violation_error_message=_("Another school uses this reference code."),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def reference_prefix(self):
        """What this school's concern references start with (records.Concern)."""
        return self.reference_code or self.urn


class SchoolSettings(models.Model):
    """One school's settings on one topic (casework, concerns about adults): a row
    made when someone first saves them, the defaults until then. A subclass declares
    its own `school` OneToOneField (its related name on School) and `topic`."""

    school: School
    topic = ""

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.school}: {self.topic}"

    @classmethod
    def for_school(cls, school: "School | int"):
        """The school's settings, or unsaved defaults (`school`: a School or an id)."""
        if isinstance(school, School):
            return cls._default_manager.filter(school=school).first() or cls(
                school=school
            )
        return cls._default_manager.filter(school_id=school).first() or cls(
            school_id=school
        )


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


class PendingRoleGrant(models.Model):
    """A role someone proposed, waiting for a second person at the school.

    It has no effect until confirmed: the Membership is made only then
    (services.role_grant_confirm). Kept after it is decided, so who proposed, who
    confirmed or declined, and when, stay on record beside the audit log. Who may
    confirm is selectors.confirmers_of."""

    class Outcome(models.TextChoices):
        WAITING = "waiting", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="pending_roles",
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="pending_roles",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # Empty: proposed on the server (manage.py grant_role).
    proposed_by = optional_person(_("proposed by"), on_delete=models.PROTECT)
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=20,
        choices=Outcome.choices,
        default=Outcome.WAITING,
    )
    decided_by = optional_person(
        _("confirmed or declined by"), on_delete=models.PROTECT
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("role waiting for confirmation")
        verbose_name_plural = _("roles waiting for confirmation")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school", "role"],
                condition=models.Q(outcome="waiting"),
                name="one_waiting_grant_per_role",
            )
        ]

    def __str__(self):
        return _("%(who)s as %(role)s at %(school)s (%(outcome)s)") % {
            "who": self.user,
            "role": self.get_role_display(),
            "school": self.school,
            "outcome": self.get_outcome_display().lower(),
        }

    @property
    def is_waiting(self):
        return self.outcome == self.Outcome.WAITING
