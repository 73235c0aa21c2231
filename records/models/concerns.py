"""Concerns as reported: the record staff submit, its children and its files."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from chronicle.idempotency import SubmittedOnce

from ..body_map.validation import validate_body_map
from ..storage import get_private_storage
from .documents import StoredDocument
from .pupils import Pupil


class InvolvementRole(models.TextChoices):
    SUBJECT = "subject", _("Child the concern is about")
    ALLEGED_PERPETRATOR = "alleged_perpetrator", _("Alleged to have caused harm")
    WITNESS = "witness", _("Witness")
    OTHER = "other", _("Otherwise involved")


class Concern(SubmittedOnce):
    """One incident or worry, as reported: the record staff submit.

    Names of terms and of the form's questions are copied onto the record when it is
    made, so renaming or retiring a category, or editing the form later, never changes
    how this record reads. The linked terms stay for reports (they follow merges).
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("Being handled")
        CLOSED = "closed", _("Closed")

    class Route(models.TextChoices):
        DSL_TEAM = "dsl_team", _("Safeguarding team (DSLs)")
        HEAD = "head", _("Headteacher / manager (concerns about adults)")

    school = models.ForeignKey(
        "accounts.School",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="concerns",
    )
    # Required here: every concern comes from a form (or the API) that makes one.
    submission_key = models.UUIDField(
        _("submission key"),
        unique=True,
        editable=False,
        help_text=_("Makes a double submit of one form one record."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    route = models.CharField(_("goes to"), max_length=20, choices=Route.choices)
    form_title = models.CharField(_("form"), max_length=255)
    form_page_id = models.PositiveIntegerField(_("form page id"), null=True, blank=True)
    reported_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns_reported",
        help_text=_("Empty when someone without an account reported it on paper."),
    )
    reported_by_name = models.CharField(
        _("reported by (paper report)"),
        max_length=200,
        blank=True,
        help_text=_("Name and role of a reporter who has no account."),
    )
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="concerns_recorded",
    )
    occurred_on = models.DateField(_("date of the incident"))
    occurred_at = models.TimeField(_("time of the incident"), null=True, blank=True)
    location = models.ForeignKey(
        "taxonomy.Term",
        verbose_name=_("where"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    location_name = models.CharField(_("where (as recorded)"), max_length=120)
    location_detail = models.CharField(_("where exactly"), max_length=255, blank=True)
    what_happened = models.TextField(_("what happened"))
    child_voice = models.TextField(_("the child's voice"), blank=True)
    child_voice_not_known = models.TextField(
        _("why the child's voice is not recorded"), blank=True
    )
    primary_category = models.ForeignKey(
        "taxonomy.Term",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    primary_category_name = models.CharField(
        _("category (as recorded)"), max_length=255
    )
    reporting_category = models.ForeignKey(
        "taxonomy.Term",
        verbose_name=_("category (for reports)"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
        help_text=_(
            "The category of the latest triage, or the reported one until the "
            "concern is triaged. Kept by Concern.save and Triage.save."
        ),
    )
    tags = models.ManyToManyField(
        "taxonomy.Term", verbose_name=_("also about"), blank=True, related_name="+"
    )
    tag_names = models.JSONField(
        _("also about (as recorded)"), default=list, blank=True
    )
    immediate_risk = models.BooleanField(_("child at immediate risk"))
    actions_taken = models.TextField(_("actions already taken"), blank=True)
    answers = models.JSONField(
        _("answers to the form's own questions"),
        default=list,
        blank=True,
        help_text=_("Each answer with the question's label and choices as they were."),
    )
    body_map = models.JSONField(
        _("body map"),
        default=list,
        blank=True,
        validators=[validate_body_map],
        help_text=_(
            "Where an injury was seen on the child the concern is about: marks on a "
            "front and back outline."
        ),
    )
    body_map_pupil = models.ForeignKey(
        Pupil,
        verbose_name=_("whose body the marks are on"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "The child the concern is about (or the only child named): the body map "
            "is shown on their file and no other."
        ),
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    # The school's own numbering (OAK-000123), given when the concern is saved
    # first (ReferenceCounter). Concerns from before it keep their C000123.
    school_sequence = models.PositiveIntegerField(
        _("number at the school"), null=True, blank=True, editable=False
    )
    school_reference = models.CharField(
        _("reference"), max_length=20, blank=True, editable=False, db_index=True
    )

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["reported_by", "-submitted_at"]),
            models.Index(fields=["recorded_by", "-submitted_at"]),
            models.Index(fields=["school", "status", "-submitted_at"]),
            # Reports: a school's concerns by incident date, and by category.
            models.Index(fields=["school", "occurred_on"]),
            models.Index(fields=["reporting_category", "occurred_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_sequence"], name="unique_school_sequence"
            )
        ]

    def __str__(self):
        return self.reference

    def clean(self):
        if not self.reported_by_id and not self.reported_by_name.strip():
            raise ValidationError(
                {"reported_by_name": _("Say who reported the concern.")}
            )
        if self.body_map and not self.body_map_pupil_id:
            raise ValidationError({"body_map": _("Say whose body the marks are on.")})

    def save(self, *args, **kwargs):
        # A new concern is reported under the category it was recorded with; a
        # triage moves it (Triage.save) and a merge re-points it (term_merge).
        if self.reporting_category_id is None and self.primary_category_id:
            self.reporting_category_id = self.primary_category_id
            fields = kwargs.get("update_fields")
            if fields is not None:
                kwargs["update_fields"] = {*fields, "reporting_category"}
        if self._state.adding and self.school_sequence is None:
            with transaction.atomic():  # the number is kept only with the concern
                self.school_sequence = ReferenceCounter.next_for(self.school_id)
                self.school_reference = (
                    f"{self.school.reference_prefix}-{self.school_sequence:06d}"
                )
                return super().save(*args, **kwargs)
        return super().save(*args, **kwargs)

    @property
    def reference(self):
        """OAK-000123 (the school's code and its own number); C000123 for a concern
        recorded before schools numbered their own (the old deployment-wide id)."""
        if self.school_reference:
            return self.school_reference
        return f"C{self.pk:06d}" if self.pk else "C(new)"


class ReferenceCounter(models.Model):
    """The last number a school gave a concern. One row per school, locked while a
    concern takes the next number, so two reports saved at once never share one."""

    school = models.OneToOneField(
        "accounts.School",
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    last = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("concern reference counter")
        verbose_name_plural = _("concern reference counters")

    def __str__(self):
        return f"{self.school_id}: {self.last}"

    @classmethod
    def next_for(cls, school_id):
        """The school's next number; call inside the transaction that saves the
        concern (select_for_update holds the row until it commits)."""
        counter, _created = cls.objects.select_for_update().get_or_create(
            school_id=school_id
        )
        counter.last += 1
        counter.save(update_fields=["last"])
        return counter.last


class ConcernPupil(models.Model):
    """A child named in a concern, and how they are involved: linking several children
    never gives all of them the same role."""

    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, related_name="involvements"
    )
    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="involvements"
    )
    role = models.CharField(
        _("involvement"), max_length=30, choices=InvolvementRole.choices
    )

    class Meta:
        verbose_name = _("child involved")
        verbose_name_plural = _("children involved")
        constraints = [
            models.UniqueConstraint(
                fields=["concern", "pupil"], name="unique_pupil_per_concern"
            )
        ]

    def __str__(self):
        return f"{self.pupil} ({self.get_role_display()})"


def attachment_path(instance, filename):
    return f"concerns/{instance.concern.school_id}/{instance.concern_id}/{filename}"


class ConcernAttachment(StoredDocument):
    """A file attached to a concern (a photo of a note, the scan of a paper form)."""

    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(
        _("file"),
        storage=get_private_storage,
        upload_to=attachment_path,
        max_length=255,
    )

    class Meta(StoredDocument.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
