"""File audits: sampled files reviewed against a checklist."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .pupils import Pupil

# File audits: a manager or DSL reviews sampled files against a checklist and records
# findings and actions. The questions are copied onto each audit with its answers, so
# rewording a question later never changes how an old audit reads.

FILE_AUDIT_CHECKLIST = [
    ("whole_story", _("Does the file tell the whole story?")),
    ("child_voice", _("Is the child's voice recorded?")),
    ("rationale", _("Does every decision have its rationale?")),
    ("outcomes", _("Are outcomes (ours and other agencies') recorded?")),
    ("up_to_date", _("Is it up to date (no overdue review or action)?")),
]


class FileAuditSample(models.Model):
    """A random draw of files with at least one concern, audited together."""

    school = models.ForeignKey(
        "accounts.School",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="file_audit_samples",
    )
    size = models.PositiveSmallIntegerField(_("files asked for"))
    drawn_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        verbose_name = _("file audit sample")
        verbose_name_plural = _("file audit samples")
        ordering = ["-drawn_at", "-pk"]

    def __str__(self):
        return f"{self.school}: sample of {self.size}"


class FileAudit(models.Model):
    """One file reviewed against the checklist. Answers are saved as the auditor
    goes; once completed, the audit is not changed (actions follow it up)."""

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    pupil = models.ForeignKey(
        Pupil, verbose_name=_("file"), on_delete=models.PROTECT, related_name="audits"
    )
    sample = models.ForeignKey(
        FileAuditSample,
        verbose_name=_("sample"),
        on_delete=models.PROTECT,
        related_name="audits",
        null=True,
        blank=True,
    )
    auditor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("auditor"),
        on_delete=models.PROTECT,
        related_name="file_audits",
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    answers = models.JSONField(
        _("checklist"),
        default=list,
        blank=True,
        help_text=_("Each question as it was asked, with the answer and a comment."),
    )
    finding = models.TextField(_("overall finding"), blank=True)

    class Meta:
        verbose_name = _("file audit")
        verbose_name_plural = _("file audits")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"],
                condition=models.Q(completed_at__isnull=True),
                name="one_open_audit_per_file",
            )
        ]

    def __str__(self):
        return f"Audit of {self.pupil} ({timezone.localtime(self.started_at):%d %b %Y})"

    @property
    def is_complete(self):
        return self.completed_at is not None

    def answer_for(self, key):
        return next((item for item in self.answers if item.get("key") == key), {})

    def clean(self):
        """A completed audit answers every question, explains every answer short
        of "yes", and states its finding."""
        allowed = set(self.Answer.values)
        problems = []
        for item in self.answers:
            question = {"question": item.get("question") or item.get("key")}
            answer = item.get("answer")
            if answer and answer not in allowed:
                problems.append(
                    _("“%(question)s”: choose yes, partly or no.") % question
                )
            elif (
                answer in (self.Answer.NO, self.Answer.PARTLY)
                and not (item.get("comment") or "").strip()
            ):
                problems.append(_("“%(question)s”: say what is missing.") % question)
        errors = {}
        if self.completed_at is not None:
            answered = {item.get("key") for item in self.answers if item.get("answer")}
            problems += [
                _("“%(question)s”: answer this question.") % {"question": question}
                for key, question in FILE_AUDIT_CHECKLIST
                if key not in answered
            ]
            if not self.finding.strip():
                errors["finding"] = _("Write the overall finding.")
        if problems:
            errors["answers"] = problems
        if errors:
            raise ValidationError(errors)


class FileAuditAction(models.Model):
    """Something the audit asks a named person at the school to do by a date. Not a
    workflow task: it shows in the person's "My audit actions" and on the audit."""

    audit = models.ForeignKey(
        FileAudit, on_delete=models.PROTECT, related_name="actions"
    )
    description = models.CharField(_("what needs doing"), max_length=300)
    assigned_to = models.ForeignKey(
        "accounts.User",
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        related_name="file_audit_actions",
    )
    due_on = models.DateField(_("by"))
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    done_note = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("file audit action")
        verbose_name_plural = _("file audit actions")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["assigned_to", "done_at", "due_on"])]

    def __str__(self):
        return self.description

    @property
    def is_done(self):
        return self.done_at is not None
