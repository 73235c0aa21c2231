"""The child's file beyond concerns: flags, key people, links, notes, addenda."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from chronicle.idempotency import SubmittedOnce

from ..body_map.validation import validate_body_map
from ..storage import get_private_storage
from .concerns import Concern
from .documents import StoredDocument
from .pupils import Pupil

# The child's file beyond concerns: who is around the child, what is known about
# them, what the DSL adds, corrections, and the checks on the file's quality.


class PupilFlag(SubmittedOnce):
    """A profile flag with its dates (CIN, CP plan, looked-after…): the front sheet
    shows the current ones and the file keeps the history."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="flags")
    flag = models.ForeignKey(
        "taxonomy.Term",
        verbose_name=_("flag"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    flag_name = models.CharField(_("flag (as recorded)"), max_length=255)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("profile flag")
        verbose_name_plural = _("profile flags")
        ordering = ["-starts_on", "pk"]

    def __str__(self):
        return f"{self.pupil}: {self.flag_name}"

    def clean(self):
        if self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end is before the start.")})


class KeyPerson(SubmittedOnce):
    """A professional around the child: social worker, lead professional…"""

    class Role(models.TextChoices):
        SOCIAL_WORKER = "social_worker", _("Social worker")
        LEAD_PROFESSIONAL = "lead_professional", _("Lead professional")
        EARLY_HELP = "early_help", _("Early help worker")
        VIRTUAL_SCHOOL = "virtual_school", _("Virtual school contact")
        HEALTH = "health", _("Health professional")
        POLICE = "police", _("Police contact")
        OTHER = "other", _("Other")

    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="key_people"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    from_date = models.DateField(_("from"), null=True, blank=True)
    to_date = models.DateField(_("until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("key person")
        verbose_name_plural = _("key people")
        ordering = ["role", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"


class PupilLink(models.Model):
    """Two children's files one click apart (siblings, same household). Each file
    stays separate and separately permissioned: a link is never a family file."""

    class Kind(models.TextChoices):
        SIBLING = "sibling", _("Sibling")
        HOUSEHOLD = "household", _("Same household")
        OTHER = "other", _("Other link")

    from_pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="links_from"
    )
    to_pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="links_to"
    )
    kind = models.CharField(_("link"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("link between files")
        verbose_name_plural = _("links between files")
        constraints = [
            models.UniqueConstraint(
                fields=["from_pupil", "to_pupil"], name="unique_pupil_link"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_pupil=models.F("to_pupil")),
                name="pupil_link_not_to_itself",
            ),
        ]

    def __str__(self):
        return f"{self.from_pupil} — {self.to_pupil} ({self.get_kind_display()})"


class FileNote(SubmittedOnce):
    """Something the DSL adds to the file so nothing is held elsewhere: a discussion
    or meeting note, a logged phone call or email, supervision notes, a document."""

    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("Discussion")
        MEETING = "meeting", _("Meeting notes")
        PHONE = "phone", _("Phone call")
        EMAIL = "email", _("Email")
        LETTER = "letter", _("Letter")
        SUPERVISION = "supervision", _("Supervision notes")
        DOCUMENT = "document", _("Document")
        OTHER = "other", _("Other")

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="notes")
    concern = models.ForeignKey(
        Concern,
        verbose_name=_("about concern"),
        on_delete=models.PROTECT,
        related_name="notes",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    occurred_at = models.DateTimeField(_("when"))
    body = models.TextField(_("what was said, decided or received"))
    people = models.CharField(_("who was involved"), max_length=300, blank=True)
    child_voice = models.TextField(_("the child's voice"), blank=True)
    body_map = models.JSONField(
        _("body map"),
        default=list,
        blank=True,
        validators=[validate_body_map],
        help_text=_("Where an injury was seen: marks on a front and back outline."),
    )
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("file note")
        verbose_name_plural = _("file notes")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["pupil", "-occurred_at"])]

    def __str__(self):
        return self.title


def note_attachment_path(instance, filename):
    return f"files/{instance.note.pupil.school_id}/{instance.note.pupil_id}/{filename}"


class NoteAttachment(StoredDocument):
    """A document on a file note (minutes, an email saved as PDF)."""

    note = models.ForeignKey(
        FileNote, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(
        _("file"),
        storage=get_private_storage,
        upload_to=note_attachment_path,
        max_length=255,
    )

    class Meta(StoredDocument.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")


class Addendum(SubmittedOnce):
    """A correction or late information added to a record, which is never edited:
    shown in place, with who, when and why."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="addenda")
    target_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.PositiveBigIntegerField()
    reason = models.CharField(_("why this is added"), max_length=300)
    text = models.TextField(_("addendum"))
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("addendum")
        verbose_name_plural = _("addenda")
        ordering = ["recorded_at", "pk"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"Addendum to {self.target_type.model} {self.target_id}"


class SignificantMark(models.Model):
    """A chronology entry the DSL marks as significant for this child."""

    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="significant_marks"
    )
    target_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.PositiveBigIntegerField()
    marked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("significant event")
        verbose_name_plural = _("significant events")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "target_type", "target_id"],
                name="unique_significant_mark",
            )
        ]

    def __str__(self):
        return f"Significant: {self.target_type.model} {self.target_id}"
