"""The DSL's work on a concern: triage, decision, referrals, actions, closure."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from chronicle.idempotency import SubmittedOnce

from ..validators import validate_rationale
from .concerns import Concern

# The DSL's work on a concern. Each step is its own record, linked to the concern and
# to the cycle of work it belongs to (a concern reopened at review starts cycle 2).
# They are written once, by the step that makes them; later information is added as
# new records, so the chronology shows what was known and decided when.


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    IMMEDIATE = "immediate", _("Immediate risk of harm")


class Triage(models.Model):
    """The DSL's first reading of a concern: category confirmed, risk and why."""

    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, related_name="triages"
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    primary_category = models.ForeignKey(
        "taxonomy.Term",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    primary_category_name = models.CharField(_("category (as triaged)"), max_length=255)
    tags = models.ManyToManyField(
        "taxonomy.Term", verbose_name=_("also about"), blank=True, related_name="+"
    )
    tag_names = models.JSONField(_("also about (as triaged)"), default=list, blank=True)
    risk_level = models.CharField(_("risk"), max_length=20, choices=RiskLevel.choices)
    risk_reason = models.TextField(_("why this level of risk"))
    actions_needed = models.TextField(_("actions already needed"), blank=True)
    triaged_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    triaged_at = models.DateTimeField(_("triaged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("triage")
        verbose_name_plural = _("triages")
        ordering = ["triaged_at", "pk"]

    def __str__(self):
        return f"{self.concern} triage ({self.get_risk_level_display()})"

    def save(self, *args, **kwargs):
        """Saving a triage makes the concern's reporting category that of its
        latest triage, in the same transaction: reports filter and group by that
        one column instead of finding each concern's latest triage."""
        super().save(*args, **kwargs)
        latest = (
            Triage.objects.filter(concern_id=self.concern_id)
            .order_by("-cycle", "-triaged_at", "-pk")
            .values_list("primary_category_id", flat=True)
            .first()
        )
        concern = self.concern
        if concern.reporting_category_id != latest:
            concern.reporting_category_id = latest
            concern.save(update_fields=["reporting_category"])


class DecisionOutcome(models.TextChoices):
    """The structured decision. Referrals are chosen per agency (Referral rows)."""

    NFA = "nfa", _("No further action")
    MONITOR = "monitor", _("Monitor in school")
    INTERNAL_SUPPORT = "internal_support", _("Support in school")
    EARLY_HELP = "early_help", _("Early help")
    REFERRAL = "referral", _("Refer to other agencies")


class Decision(models.Model):
    """What the DSL decided and why. No decision, 'no further action' included, is
    saved without a substantive rationale (records.validators)."""

    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, related_name="decisions"
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    outcome = models.CharField(
        _("decision"), max_length=30, choices=DecisionOutcome.choices
    )
    rationale = models.TextField(_("rationale"))
    consulted = models.TextField(
        _("who was consulted"),
        blank=True,
        help_text=_("People and agencies you spoke to before deciding."),
    )
    review_on = models.DateField(
        _("review date"),
        null=True,
        blank=True,
        help_text=_(
            "Carried to the closure: the concern reopens for review on this date."
        ),
    )
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["decided_at", "pk"]

    def __str__(self):
        return f"{self.concern}: {self.get_outcome_display()}"

    def clean(self):
        try:
            validate_rationale(self.rationale)
        except ValidationError as error:
            raise ValidationError({"rationale": error.messages}) from error


class Referral(models.Model):
    """A referral to one agency, followed until the agency's response and — when the
    agency takes no action — their reason ("ascertain the rationale of others")."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone call")
        PORTAL = "portal", _("Online referral form / portal")
        EMAIL = "email", _("Secure email")
        MEETING = "meeting", _("In person / meeting")
        LETTER = "letter", _("Letter")

    class AgencyOutcome(models.TextChoices):
        ASSESSMENT = "assessment", _("Accepted: assessment or investigation")
        STRATEGY = "strategy", _("Strategy discussion / section 47 enquiry")
        SUPPORT = "support", _("Accepted: support or service offered")
        STEP_DOWN = "step_down", _("Stepped down to early help / school")
        ADVICE = "advice", _("Advice given / signposted")
        NFA = "nfa", _("No further action by the agency")
        # The agency never answered, though chased: the school escalated it and
        # the follow-up ends, so the concern can close (the escalation and its
        # reason are required: services.referrals).
        NO_RESPONSE = "no_response", _("No response — escalated")

    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, related_name="referrals"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="referrals"
    )
    agency = models.ForeignKey(
        "taxonomy.Term",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency_name = models.CharField(_("agency (as recorded)"), max_length=255)
    response_due = models.DateField(_("response due"))
    contacted_on = models.DateField(_("referral made on"), null=True, blank=True)
    method = models.CharField(
        _("how"), max_length=20, choices=Method.choices, blank=True
    )
    contact_name = models.CharField(_("spoke to / sent to"), max_length=200, blank=True)
    reference = models.CharField(_("agency reference"), max_length=100, blank=True)
    responded_on = models.DateField(_("response received on"), null=True, blank=True)
    agency_outcome = models.CharField(
        _("agency's outcome"), max_length=20, choices=AgencyOutcome.choices, blank=True
    )
    response = models.TextField(_("what the agency said"), blank=True)
    agency_rationale = models.TextField(_("the agency's reason"), blank=True)
    disagreement = models.TextField(
        _("where the school disagrees, and what it did"),
        blank=True,
        help_text=_("Escalation under the local resolution procedure, if used."),
    )
    # The worker the agency allocated (a social worker, an early help worker…):
    # offered as a key person on the child's file when the response is recorded.
    worker_name = models.CharField(
        _("worker allocated by the agency"), max_length=200, blank=True
    )
    worker_phone = models.CharField(_("their phone"), max_length=50, blank=True)
    worker_email = models.EmailField(_("their email"), blank=True)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)
    escalated_to = models.CharField(
        _("escalated to"),
        max_length=200,
        blank=True,
        help_text=_("For example: the MASH team manager; the LSCP escalation lead."),
    )
    escalation_reason = models.TextField(
        _("why the school escalated, and what it asked for"), blank=True
    )
    completed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.concern} → {self.agency_name}"

    @property
    def is_complete(self):
        return self.completed_at is not None


class ReferralContact(SubmittedOnce):
    """A contact with the agency about an open referral ("phoned MASH to chase"):
    who at school, when, how, who they spoke to and what was said. Written once;
    in the child's chronology and the concern's history."""

    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, related_name="referral_contacts"
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="contacts"
    )
    contacted_at = models.DateTimeField(_("when"))
    method = models.CharField(_("how"), max_length=20, choices=Referral.Method.choices)
    spoke_to = models.CharField(_("spoke to / sent to"), max_length=200, blank=True)
    summary = models.TextField(_("what was said"))
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact with an agency")
        verbose_name_plural = _("contacts with agencies")
        ordering = ["contacted_at", "pk"]

    def __str__(self):
        return f"{self.referral}: {self.get_method_display()}"


class Action(SubmittedOnce):
    """Something a named person must do by a date ("pastoral check-in Friday"), or a
    chase raised when an agency has not replied."""

    class Kind(models.TextChoices):
        ACTION = "action", _("Action")
        CHASE = "chase", _("Chase an agency")

    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, related_name="actions"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.ACTION
    )
    referral = models.ForeignKey(
        Referral,
        on_delete=models.PROTECT,
        related_name="chases",
        null=True,
        blank=True,
    )
    description = models.CharField(_("what needs doing"), max_length=300)
    assigned_to = models.ForeignKey(
        "accounts.User",
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        related_name="actions_assigned",
    )
    due_on = models.DateField(_("by"))
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("done at"), null=True, blank=True)
    completed_note = models.TextField(_("what was done"), blank=True)
    # SubmittedOnce's key, with its own help text.
    submission_key = models.UUIDField(
        _("submission key"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Makes a double submit of one form one action."),
    )

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.description


class Closure(models.Model):
    """The end of a cycle of work: what happened and why it can close. A review date
    reopens the concern as a new cycle; closed concerns stay in the chronology."""

    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, related_name="closures"
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    outcome_summary = models.TextField(_("outcome"))
    rationale = models.TextField(_("why it can close"))
    review_on = models.DateField(
        _("review on"),
        null=True,
        blank=True,
        help_text=_("The concern reopens for a new decision on this date."),
    )
    needs_sign_off = models.BooleanField(_("second DSL to sign off"), default=False)
    closed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)
    signed_off_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    sign_off_note = models.TextField(_("sign-off note"), blank=True)
    sent_back_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    sent_back_at = models.DateTimeField(
        _("sent back at"),
        null=True,
        blank=True,
        help_text=_("The second DSL did not agree it could close: why is the note."),
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.TextField(_("why it was reopened"), blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["closed_at", "pk"]

    def __str__(self):
        return f"{self.concern} closed"

    def clean(self):
        try:
            validate_rationale(self.rationale)
        except ValidationError as error:
            raise ValidationError({"rationale": error.messages}) from error
