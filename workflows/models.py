"""The state of each concern's process, and what people are told.

Viewflow keeps the engine's state (which step, whose task); the DSL's data lives in
records' concrete models (Triage, Decision, Referral, Action, Closure). The process and
task carry copies of the school, team and urgency so that queues filter and sort in
one query whatever their size.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from accounts.models import SchoolSettings
from records.models import Transfer
from records.validators import validate_rationale
from taxonomy.models import Vocabulary


class Team(models.TextChoices):
    """Who works a concern: the DSL team, or the head for concerns about adults."""

    DSL = "dsl_team", _("Safeguarding team")
    HEAD = "head", _("Headteacher / manager")


class CaseProcess(Process):
    """One cycle of work on a concern (a review reopens it as a new cycle), one
    internal action assigned to a person, or one file transfer (no concern)."""

    concern = models.ForeignKey(
        "records.Concern",
        verbose_name=_("concern"),
        on_delete=models.PROTECT,
        related_name="processes",
        null=True,
        blank=True,
    )
    transfer = models.ForeignKey(
        "records.Transfer",
        verbose_name=_("transfer"),
        on_delete=models.PROTECT,
        related_name="processes",
        null=True,
        blank=True,
    )
    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, related_name="+"
    )
    team = models.CharField(_("team"), max_length=20, choices=Team.choices)
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    urgent = models.BooleanField(_("urgent"), default=False)
    action = models.OneToOneField(
        "records.Action",
        on_delete=models.PROTECT,
        related_name="process",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("case process")
        verbose_name_plural = _("case processes")

    # Branch conditions, named so the flow reads like the process.

    @property
    def decision(self):
        return self.concern.decisions.filter(cycle=self.cycle).last()

    @property
    def closure(self):
        return self.concern.closures.filter(cycle=self.cycle).last()

    @property
    def needs_referral(self):
        decision = self.decision
        return decision is not None and decision.referrals.exists()

    @property
    def closure_signed_off(self):
        closure = self.closure
        return closure is not None and closure.signed_off_at is not None

    @property
    def file_expected(self):
        """Transfer in: the DSL said a file should follow the child."""
        return (
            self.transfer is not None
            and self.transfer.status == Transfer.Status.EXPECTED
        )

    @property
    def needs_sign_off(self):
        closure = self.closure
        return closure is not None and closure.needs_sign_off


# The statuses of a task still to be done.
OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


class CaseTask(Task):
    """A viewflow task with what queues need to filter, sort and show without
    reaching into the process for each row."""

    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, related_name="+"
    )
    concern = models.ForeignKey(
        "records.Concern",
        on_delete=models.PROTECT,
        related_name="tasks",
        null=True,
        blank=True,
    )
    transfer = models.ForeignKey(
        "records.Transfer",
        on_delete=models.PROTECT,
        related_name="tasks",
        null=True,
        blank=True,
    )
    team = models.CharField(_("team"), max_length=20, choices=Team.choices)
    urgent = models.BooleanField(_("urgent"), default=False)
    due_on = models.DateField(_("due"), null=True, blank=True)
    referral = models.ForeignKey(
        "records.Referral",
        on_delete=models.PROTECT,
        related_name="tasks",
        null=True,
        blank=True,
    )
    action = models.ForeignKey(
        "records.Action",
        on_delete=models.PROTECT,
        related_name="tasks",
        null=True,
        blank=True,
    )
    reminded_on = models.DateField(_("reminder sent on"), null=True, blank=True)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["school", "team", "urgent"]),
            models.Index(fields=["due_on"]),
        ]

    def save(self, *args, **kwargs):
        # The start task is built before its process is saved: copy once it is.
        if self._state.adding and self.process.pk and not self.school_id:
            self._copy_from_process()
        super().save(*args, **kwargs)

    def _copy_from_process(self):
        process = self.process.coerced
        self.school_id = process.school_id
        self.concern_id = process.concern_id
        self.transfer_id = process.transfer_id
        self.team = process.team
        self.urgent = process.urgent
        self.action_id = process.action_id
        referral_pk = (self.data or {}).get("referral")
        if referral_pk:
            self.referral_id = referral_pk
        due = getattr(self.flow_task, "calc_due", None)
        if due is not None and self.due_on is None:
            self.due_on = due(self)

    @property
    def step(self):
        return self.flow_task.name if self.flow_task else ""

    @property
    def reference(self):
        """What the task is about, as queues and notifications name it: the
        concern's reference, or the transfer's (a transfer has no concern)."""
        if self.concern_id:
            return self.concern.reference
        return self.transfer.reference if self.transfer_id else ""


class Notification(models.Model):
    """Something a person should know: shown in the admin and sent by email. The
    admin text names a reference, a school and, for an action, what the person is
    asked to do; the email carries only the link (workflows.tasks)."""

    class Kind(models.TextChoices):
        NEW_CONCERN = "new_concern", _("New concern")
        URGENT = "urgent", _("Urgent concern")
        ASSIGNED = "assigned", _("Task assigned to you")
        REMINDER = "reminder", _("Task overdue")
        ESCALATION = "escalation", _("Overdue task escalated")
        SIGN_OFF = "sign_off", _("Closure to sign off")
        BREAK_GLASS = "break_glass", _("Break-glass access to a record")
        ROLE_GRANTED = "role_granted", _("A new DSL, deputy or head")

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=300)
    task = models.ForeignKey(
        CaseTask,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    # The lease of the task sending the email (workflows.tasks.claim_email).
    email_claimed_at = models.DateTimeField(
        _("email claimed at"), null=True, blank=True
    )
    email_claimed_by = models.CharField(
        _("email claimed by task"), max_length=64, blank=True
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self):
        return self.message


class CaseworkSettings(SchoolSettings):
    """A school's own rules for the concern process, set by its DSL."""

    class SignOff(models.TextChoices):
        OPTIONAL = "optional", _("The closing DSL chooses")
        HIGH_RISK = "high_risk", _("Required for high risk and referrals")
        ALWAYS = "always", _("Required for every closure")

    school = models.OneToOneField(
        "accounts.School", on_delete=models.CASCADE, related_name="casework_settings"
    )
    closure_sign_off = models.CharField(
        _("second DSL sign-off at closure"),
        max_length=20,
        choices=SignOff.choices,
        default=SignOff.OPTIONAL,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    topic = "casework settings"

    class Meta:
        verbose_name = _("casework settings")
        verbose_name_plural = _("casework settings")

    def sign_off_required(self, concern, cycle):
        """Whether closing this cycle must be signed off by a second DSL."""
        if self.closure_sign_off == self.SignOff.ALWAYS:
            return True
        if self.closure_sign_off == self.SignOff.HIGH_RISK:
            risky = concern.triages.filter(
                cycle=cycle, risk_level__in=["high", "immediate"]
            ).exists()
            referred = concern.referrals.filter(decision__cycle=cycle).exists()
            return risky or referred
        return False


class PatternRule(models.Model):
    """A school's threshold for a pattern: N concerns about the same child within M
    days, optionally of one main category (its sub-categories included). Reaching
    it raises a "review the pattern" task for the DSL team (workflows.patterns)."""

    school = models.ForeignKey(
        "accounts.School", on_delete=models.CASCADE, related_name="pattern_rules"
    )
    min_concerns = models.PositiveSmallIntegerField(
        _("concerns"),
        validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text=_("How many concerns about the same child make a pattern."),
    )
    within_days = models.PositiveSmallIntegerField(
        _("within days"),
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_("Counted back from the newest concern."),
    )
    category = models.ForeignKey(
        "taxonomy.Term",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Leave empty to count concerns of every category."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pattern rule")
        verbose_name_plural = _("pattern rules")
        ordering = ["min_concerns", "within_days", "pk"]

    def __str__(self):
        what = self.category.name if self.category_id else _("any category")
        return _("%(n)d concerns in %(days)d days (%(what)s)") % {
            "n": self.min_concerns,
            "days": self.within_days,
            "what": what,
        }

    def clean(self):
        category = self.category if self.category_id else None
        if category is None:
            return
        if (
            category.vocabulary != Vocabulary.CATEGORY
            or category.parent_id is not None
            or category.school_id not in (None, self.school_id)
        ):
            raise ValidationError(
                {"category": _("Choose a main category offered at this school.")}
            )


class PatternReview(models.Model):
    """A pattern the DSL team is asked to review: the child, the rule it crossed,
    the concerns that make it, and — once reviewed — what the DSL concluded."""

    pupil = models.ForeignKey(
        "records.Pupil", on_delete=models.PROTECT, related_name="pattern_reviews"
    )
    rule = models.ForeignKey(
        PatternRule, on_delete=models.PROTECT, related_name="reviews"
    )
    concerns = models.ManyToManyField(
        "records.Concern", verbose_name=_("concerns"), related_name="pattern_reviews"
    )
    process = models.OneToOneField(
        CaseProcess,
        on_delete=models.PROTECT,
        related_name="pattern_review",
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
        _("what the pattern shows and what we do"), blank=True
    )

    class Meta:
        verbose_name = _("pattern review")
        verbose_name_plural = _("pattern reviews")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "rule"],
                condition=models.Q(reviewed_at__isnull=True),
                name="one_open_pattern_review",
            )
        ]

    def __str__(self):
        return f"Pattern review: {self.pupil} ({self.rule})"

    def clean(self):
        if self.reviewed_at is None:
            return
        try:
            validate_rationale(self.conclusion)
        except ValidationError as error:
            raise ValidationError({"conclusion": error.messages}) from error


# Concerns about adults (workflows.adults): its models live in its package.
from .adults.models import (  # noqa: E402
    AdultCase,
    AdultCaseSettings,
    AdultPatternReview,
    EmployerAction,
    LadoAdvice,
    LadoReferral,
    LowLevelReview,
    StrategyDiscussion,
)

__all__ = [
    "OPEN",
    "AdultCase",
    "AdultCaseSettings",
    "AdultPatternReview",
    "CaseProcess",
    "CaseTask",
    "CaseworkSettings",
    "EmployerAction",
    "LadoAdvice",
    "LadoReferral",
    "LowLevelReview",
    "Notification",
    "PatternReview",
    "PatternRule",
    "StrategyDiscussion",
    "Team",
]
