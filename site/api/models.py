"""Personal API tokens: what lets a client (a school portal, an MIS, a phone app)
act as one member of staff, for some things only, for a while.

A token is shown once, when it is made, and stored as the SHA-256 of its secret: a
copy of the database opens nothing. Its public prefix finds the row; the secret is
then compared in constant time (api.services.token_authenticate).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What a token may be used for. Add a scope here and require it on a router."""

    SUBMIT = "submit", _("Report concerns: forms, pupil look-up, submit, my reports")
    TASKS = "tasks", _("Casework task counts: my tasks, team queue, urgent, overdue")
    CASEWORK = (
        "casework",
        _(
            "Read casework: task lists, concerns and their steps, children's "
            "chronologies (every read of a concern or a file is audited)"
        ),
    )
    REPORTS = "reports", _("Report figures, small numbers suppressed")


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, *, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="chronicle_api_tokens",
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What it is for, e.g. 'School portal' or 'My phone'."),
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(_("secret hash"), max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def clean(self):
        unknown = set(self.scopes) - set(Scope.values)
        if not self.scopes or unknown:
            raise ValidationError(
                {"scopes": _("Choose what the token may be used for.")}
            )

    def has_scope(self, scope):
        return Scope(scope).value in self.scopes

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self):
        return self.revoked_at is None and not self.is_expired

    @property
    def status(self):
        if self.revoked_at is not None:
            return _("Revoked")
        return _("Expired") if self.is_expired else _("Active")

    def get_scopes_display(self):
        return [Scope(scope).label for scope in self.scopes if scope in Scope.values]


class SubmittedConcern(models.Model):
    """What a concern sent through the API contained, as a hash
    (api.services.submission_fingerprint), so that its submission key sent again
    with other content is refused (409) instead of being answered with this record
    as if the new report had been saved. No case content is kept here."""

    concern = models.OneToOneField(
        "records.Concern",
        verbose_name=_("concern"),
        on_delete=models.CASCADE,
        related_name="api_submission",
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("concern sent through the API")
        verbose_name_plural = _("concerns sent through the API")

    def __str__(self):
        return str(self.concern_id)


class ServiceScope(models.TextChoices):
    """What a school's service token may do: one thing each, nothing else."""

    ROLL = "roll", _("Push the pupil roll (dry run or import)")


class ServiceToken(models.Model):
    """A token that belongs to a school, not to a person: what lets an MIS
    connector push the school's roll each night (api.roll_sync). Its DSL makes and
    revokes it; it opens only the endpoints of its scope, at its school, and acts
    as nobody (the audit entries name the token). Stored as ApiToken is: the
    SHA-256 of its secret, found by its public prefix."""

    school = models.ForeignKey(
        "accounts.School",
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="service_tokens",
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What uses it, e.g. 'Arbor nightly'.")
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(_("secret hash"), max_length=64, editable=False)
    scope = models.CharField(
        _("may be used for"),
        max_length=20,
        choices=ServiceScope.choices,
        default=ServiceScope.ROLL,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("service token")
        verbose_name_plural = _("service tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self):
        return self.revoked_at is None and not self.is_expired

    @property
    def status(self):
        if self.revoked_at is not None:
            return _("Revoked")
        return _("Expired") if self.is_expired else _("Active")


# Webhooks' models live in their feature package; Django finds them through here.
from .webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent  # noqa: E402

__all__ = [
    "ApiToken",
    "ServiceScope",
    "ServiceToken",
    "SubmittedConcern",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
