"""The case about an adult and one record per step, each with its audit.

An allegation's case: the referral to the LADO, the LADO's advice with its
reasons, the strategy discussion (or why none was held), the employer's actions
(suspension considered, and why or why not) and the outcome with its rationale.
A low-level concern's case: the case manager's review. The records are kept
apart from children's files: nothing here hangs off a child, only off the
concern (records.ConcernAboutAdult names the adult).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import SchoolSettings
from records.models import AdultConcernKind
from records.validators import validate_rationale


class Outcome(models.TextChoices):
    """KCSIE Part 4's five outcomes of an allegation."""

    SUBSTANTIATED = "substantiated", _("Substantiated")
    FALSE = "false", _("False")
    MALICIOUS = "malicious", _("Malicious")
    UNSUBSTANTIATED = "unsubstantiated", _("Unsubstantiated")
    UNFOUNDED = "unfounded", _("Unfounded")


OUTCOME_HELP = {
    Outcome.SUBSTANTIATED: _("There is sufficient evidence to prove the allegation."),
    Outcome.FALSE: _("There is sufficient evidence to disprove the allegation."),
    Outcome.MALICIOUS: _(
        "There is sufficient evidence to disprove the allegation and there has been "
        "a deliberate act to deceive."
    ),
    Outcome.UNSUBSTANTIATED: _(
        "There is insufficient evidence either to prove or disprove the allegation. "
        "The term does not imply guilt or innocence."
    ),
    Outcome.UNFOUNDED: _(
        "There is no evidence or proper basis which supports the allegation being made."
    ),
}

# Kept on the personnel side until normal pension age or 10 years, whichever is
# longer; the others are removed from personnel records (docs/admin-guide.md).
KEPT_OUTCOMES = (Outcome.SUBSTANTIATED, Outcome.UNSUBSTANTIATED, Outcome.UNFOUNDED)
REMOVED_OUTCOMES = (Outcome.FALSE, Outcome.MALICIOUS)


def _rationale(value: str, field: str) -> None:
    try:
        validate_rationale(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


class AdultCaseSettings(SchoolSettings):
    """A school's rules for concerns about adults, set by its head."""

    school = models.OneToOneField(
        "accounts.School", on_delete=models.CASCADE, related_name="adult_case_settings"
    )
    pattern_min_concerns = models.PositiveSmallIntegerField(
        _("low-level concerns that make a pattern"),
        default=3,
        validators=[MinValueValidator(2), MaxValueValidator(20)],
    )
    pattern_within_days = models.PositiveSmallIntegerField(
        _("within days"),
        default=365,
        validators=[MinValueValidator(30), MaxValueValidator(1830)],
    )
    normal_pension_age = models.PositiveSmallIntegerField(
        _("normal pension age"),
        default=67,
        validators=[MinValueValidator(55), MaxValueValidator(75)],
        help_text=_("Used with a date of birth to keep an allegation's record."),
    )

    topic = "concerns about adults"

    class Meta:
        verbose_name = _("settings for concerns about adults")
        verbose_name_plural = _("settings for concerns about adults")


class AdultCase(models.Model):
    """The case manager's case on one concern about an adult."""

    concern = models.OneToOneField(
        "records.Concern", on_delete=models.PROTECT, related_name="adult_case"
    )
    process = models.OneToOneField(
        "workflows.CaseProcess",
        on_delete=models.PROTECT,
        related_name="adult_case",
        null=True,
        blank=True,
    )
    kind = models.CharField(
        _("kind of concern"), max_length=20, choices=AdultConcernKind.choices
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, blank=True
    )
    outcome_rationale = models.TextField(_("why this outcome"), blank=True)
    outcome_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    outcome_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    date_of_birth = models.DateField(
        _("the adult's date of birth"),
        null=True,
        blank=True,
        help_text=_(
            "Only to keep the record until normal pension age when that is later "
            "than 10 years. Leave empty to keep it for 10 years."
        ),
    )
    retain_until = models.DateField(_("kept until"), null=True, blank=True)
    removed_from_personnel_at = models.DateTimeField(
        _("removed from personnel records at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("case about an adult")
        verbose_name_plural = _("cases about adults")
        ordering = ["-opened_at", "-pk"]

    def __str__(self):
        return f"{self.concern.reference}: {self.get_kind_display()}"

    @property
    def is_allegation(self) -> bool:
        return self.kind == AdultConcernKind.ALLEGATION


class StepRecord(models.Model):
    """Who recorded a step, and when (the audit log keeps every change)."""

    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        abstract = True


class LadoReferral(StepRecord):
    """The referral to the LADO: due within one working day of the allegation."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Telephone")
        ONLINE = "online", _("Online referral form")
        EMAIL = "email", _("Secure email")
        MEETING = "meeting", _("In person")

    case = models.OneToOneField(
        AdultCase, on_delete=models.CASCADE, related_name="lado_referral"
    )
    referred_on = models.DateField(_("referred on"))
    lado_name = models.CharField(_("LADO spoken to or written to"), max_length=200)
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    summary = models.TextField(_("what the LADO was told"))
    due_on = models.DateField(_("due"))
    late_reason = models.TextField(_("why it was late"), blank=True)

    class Meta:
        verbose_name = _("LADO referral")
        verbose_name_plural = _("LADO referrals")

    def __str__(self):
        return f"LADO referral {self.referred_on}"

    def clean(self):
        if self.referred_on and self.due_on and self.referred_on > self.due_on:
            if not (self.late_reason or "").strip():
                raise ValidationError(
                    {
                        "late_reason": _(
                            "The referral was due by %(date)s: say why it was later."
                        )
                        % {"date": self.due_on.strftime("%d %b %Y")}
                    }
                )


class LadoAdvice(StepRecord):
    """What the LADO advised, and the reasons they gave."""

    class Advice(models.TextChoices):
        STRATEGY = "strategy", _("A strategy discussion (police and/or social care)")
        POLICE = "police", _("Police investigation")
        SOCIAL_CARE = "social_care", _("Children's social care enquiries")
        EMPLOYER = "employer", _("The employer investigates under its own procedures")
        LOW_LEVEL = "low_level", _("Below the harm threshold: treat as low-level")
        NO_FURTHER = "no_further", _("No further action")

    case = models.OneToOneField(
        AdultCase, on_delete=models.CASCADE, related_name="lado_advice"
    )
    received_on = models.DateField(_("advice received on"))
    advice = models.CharField(_("the LADO's advice"), max_length=20, choices=Advice)
    reasons = models.TextField(_("the reasons given"))

    class Meta:
        verbose_name = _("LADO advice")
        verbose_name_plural = _("LADO advice")

    def __str__(self):
        return self.get_advice_display()

    def clean(self):
        _rationale(self.reasons, "reasons")


class StrategyDiscussion(StepRecord):
    """The strategy discussion, or why none was held."""

    case = models.OneToOneField(
        AdultCase, on_delete=models.CASCADE, related_name="strategy_discussion"
    )
    held = models.BooleanField(_("a strategy discussion was held"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    attendees = models.TextField(_("who took part"), blank=True)
    decisions = models.TextField(_("decisions, or why none was held"))

    class Meta:
        verbose_name = _("strategy discussion")
        verbose_name_plural = _("strategy discussions")

    def __str__(self):
        return f"Strategy discussion {self.held_on or '(not held)'}"

    def clean(self):
        errors = {}
        if self.held and not self.held_on:
            errors["held_on"] = _("Give the date it was held.")
        if self.held and not (self.attendees or "").strip():
            errors["attendees"] = _("Say who took part: names and agencies.")
        try:
            _rationale(self.decisions, "decisions")
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)


class EmployerAction(StepRecord):
    """What the employer did meanwhile: suspension considered, and why or why not
    (KCSIE: suspension only when there is no reasonable alternative)."""

    case = models.OneToOneField(
        AdultCase, on_delete=models.CASCADE, related_name="employer_action"
    )
    suspended = models.BooleanField(_("the adult was suspended"))
    suspension_reasons = models.TextField(_("why suspension was or was not the answer"))
    other_actions = models.TextField(
        _("other actions (redeployment, supervision, support)"), blank=True
    )

    class Meta:
        verbose_name = _("employer's actions")
        verbose_name_plural = _("employer's actions")

    def __str__(self):
        return str(_("Suspended") if self.suspended else _("Not suspended"))

    def clean(self):
        _rationale(self.suspension_reasons, "suspension_reasons")


class LowLevelReview(StepRecord):
    """The case manager's review of a low-level concern."""

    class Decision(models.TextChoices):
        NO_ACTION = "no_action", _("No action beyond keeping the record")
        SPOKEN_TO = "spoken_to", _("Spoken to the adult about their conduct")
        SUPPORT = "support", _("Support or training for the adult")
        CODE_OF_CONDUCT = "code_of_conduct", _("Formal code-of-conduct process")
        ALLEGATION = (
            "allegation",
            _("It meets the harm threshold: treat it as an allegation"),
        )

    case = models.OneToOneField(
        AdultCase, on_delete=models.CASCADE, related_name="low_level_review"
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision)
    what_decided = models.TextField(_("what was decided, and why"))

    class Meta:
        verbose_name = _("low-level concern review")
        verbose_name_plural = _("low-level concern reviews")

    def __str__(self):
        return self.get_decision_display()

    def clean(self):
        _rationale(self.what_decided, "what_decided")


class AdultPatternReview(models.Model):
    """Several low-level concerns about the same adult: the case manager reviews
    them together. The adult is keyed by their account, or by the name as typed
    at the school (`adult_key`)."""

    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, related_name="+"
    )
    adult_key = models.CharField(max_length=220)
    name = models.CharField(_("name of the adult"), max_length=200)
    person = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    concerns = models.ManyToManyField(
        "records.Concern", verbose_name=_("concerns"), related_name="+"
    )
    process = models.OneToOneField(
        "workflows.CaseProcess",
        on_delete=models.PROTECT,
        related_name="adult_pattern_review",
        null=True,
        blank=True,
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    conclusion = models.TextField(
        _("what the concerns show together and what follows"), blank=True
    )

    class Meta:
        verbose_name = _("pattern review of concerns about an adult")
        verbose_name_plural = _("pattern reviews of concerns about adults")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "adult_key"],
                condition=models.Q(reviewed_at__isnull=True),
                name="one_open_adult_pattern_review",
            )
        ]

    def __str__(self):
        return f"Pattern review: {self.name}"
