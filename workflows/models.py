"""The state of each concern's process, and what people are told.

Viewflow keeps the engine's state (which step, whose task); the DSL's data lives in
records' concrete models (Triage, Decision, Referral, Action, Closure). The process and
task carry copies of the school, team and urgency so that queues filter and sort in
one query whatever their size.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task


class Team(models.TextChoices):
    """Who works a concern: the DSL team, or the head for concerns about adults."""

    DSL = "dsl_team", _("Safeguarding team")
    HEAD = "head", _("Headteacher / manager")


class CaseProcess(Process):
    """One cycle of work on a concern (a review reopens it as a new cycle), or one
    internal action assigned to a person."""

    concern = models.ForeignKey(
        "records.Concern",
        verbose_name=_("concern"),
        on_delete=models.PROTECT,
        related_name="processes",
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
    def needs_sign_off(self):
        closure = self.closure
        return closure is not None and closure.needs_sign_off


class CaseTask(Task):
    """A viewflow task with what queues need to filter, sort and show without
    reaching into the process for each row."""

    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, related_name="+"
    )
    concern = models.ForeignKey(
        "records.Concern", on_delete=models.PROTECT, related_name="tasks"
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

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self):
        return self.message


class CaseworkSettings(models.Model):
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

    class Meta:
        verbose_name = _("casework settings")
        verbose_name_plural = _("casework settings")

    def __str__(self):
        return f"{self.school}: casework settings"

    @classmethod
    def for_school(cls, school):
        return cls.objects.filter(school=school).first() or cls(school=school)

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
