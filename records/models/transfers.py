"""Case handover: a child's file leaving the school or arriving at it."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from chronicle.idempotency import SubmittedOnce

from ..storage import get_private_storage
from .documents import StoredDocument
from .pupils import Pupil

# Case handover: a child protection file leaving the school or arriving at it. The
# process is in workflows.transfers; the bundle format in records.transfer_format.


class Transfer(SubmittedOnce):
    """One file moving between schools, out (we send) or in (we receive).

    Out: the DSL records where the child is going and when they start there; the
    file must reach the new school within five school days of that date. A bundle
    (PDF + JSON, hashed, in an AES-encrypted archive) goes by a one-time link or by a
    recorded alternative; the receiving DSL's receipt is kept with the bundle's
    manifest hash, and the handover conversation is recorded or its absence
    explained. In: a bundle (or a paper/PDF file) is checked, imported into the
    child's chronology as "from previous school", and gaps are recorded.
    """

    class Direction(models.TextChoices):
        OUT = "out", _("Transfer out")
        IN = "in", _("Transfer in")

    class Status(models.TextChoices):
        PREPARING = "preparing", _("Being prepared")
        SENT = "sent", _("Sent, waiting for receipt")
        RECEIVED = "received", _("Receipt recorded")
        EXPECTED = "expected", _("File expected")
        IMPORTED = "imported", _("File received and checked")
        COMPLETE = "complete", _("Complete")
        NOT_EXPECTED = "not_expected", _("No file expected")

    class Delivery(models.TextChoices):
        LINK = "link", _("One-time download link")
        SECURE_EMAIL = "secure_email", _("Secure email")
        COURIER = "courier", _("Courier or recorded post")
        HAND = "hand", _("Hand delivery")

    class ReceiptVia(models.TextChoices):
        LINK = "link", _("Confirmed through the link")
        RECORDED = "recorded", _("Recorded by the sending DSL (paper or email)")
        CHRONICLE = "chronicle", _("Imported by the receiving school in Chronicle")
        SIGNED = "signed", _("Signed receipt from the receiving school's Chronicle")

    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="transfers")
    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, related_name="transfers"
    )
    other_school = models.ForeignKey(
        "accounts.School",
        verbose_name=_("school in this Chronicle"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    other_school_name = models.CharField(_("school"), max_length=200, blank=True)
    other_contact = models.CharField(
        _("DSL there (name and email or phone)"), max_length=300, blank=True
    )
    starts_on = models.DateField(
        _("starts there on"),
        null=True,
        blank=True,
        help_text=_(
            "The day the child starts at the new school, or the first day of the "
            "next term if that is not known."
        ),
    )
    deadline = models.DateField(_("due by"), null=True, blank=True)
    started_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    # SubmittedOnce's key, without its help text.
    submission_key = models.UUIDField(
        _("submission key"), null=True, blank=True, unique=True, editable=False
    )
    # What goes: the kinds of chronology entry; empty means the whole file.
    kinds = models.JSONField(_("what goes"), default=list, blank=True)
    # The bundle went with other children's details redacted (records.redaction);
    # a resend keeps the choice.
    redacted = models.BooleanField(
        _("other children's details redacted"), default=False
    )
    manifest_hash = models.CharField(_("manifest SHA-256"), max_length=64, blank=True)
    bundle_built_at = models.DateTimeField(_("bundle built at"), null=True, blank=True)
    # Delivery.
    delivery = models.CharField(
        _("sent by"), max_length=20, choices=Delivery.choices, blank=True
    )
    delivery_note = models.TextField(_("how it was sent"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    link_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    link_expires_at = models.DateTimeField(_("link expires"), null=True, blank=True)
    link_used_at = models.DateTimeField(_("link used at"), null=True, blank=True)
    # Receipt.
    receipt_via = models.CharField(
        _("receipt"), max_length=20, choices=ReceiptVia.choices, blank=True
    )
    received_by_name = models.CharField(_("received by"), max_length=200, blank=True)
    received_by_role = models.CharField(_("their role"), max_length=200, blank=True)
    received_school_name = models.CharField(
        _("receiving school"), max_length=200, blank=True
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)
    receipt_manifest_hash = models.CharField(
        _("manifest SHA-256 receipted"), max_length=64, blank=True
    )
    receipt_evidence = models.TextField(_("evidence of receipt"), blank=True)
    receipt_recorded_at = models.DateTimeField(null=True, blank=True)
    # Signed receipts (workflows.transfers.receipt). Out: the random challenge
    # that goes inside the encrypted bundle (a receipt must answer it), and the
    # receipt as the receiving installation signed it, with its public key. In:
    # the challenge as it came, and the receipt this installation signed for it.
    receipt_challenge = models.CharField(max_length=64, blank=True, editable=False)
    receipt_code = models.TextField(_("signed receipt"), blank=True)
    receipt_key = models.CharField(
        _("receiving installation's key"), max_length=64, blank=True
    )
    # The handover conversation.
    conversation_with = models.CharField(_("spoke to"), max_length=300, blank=True)
    conversation_on = models.DateField(_("on"), null=True, blank=True)
    conversation_summary = models.TextField(_("what was shared"), blank=True)
    conversation_not_needed = models.TextField(
        _("why no conversation was needed"), blank=True
    )
    conversation_recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Transfer in.
    source = models.ForeignKey(
        "self",
        verbose_name=_("sent as"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    sender = models.JSONField(_("sender"), default=dict, blank=True)
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)
    gaps = models.TextField(_("what is missing"), blank=True)
    not_expected_reason = models.TextField(_("why no file is expected"), blank=True)
    # When the child in the bundle differs from this child (UPN, names, date of
    # birth): what differed, and the DSL who confirmed it is the same child, why.
    identity_check = models.JSONField(_("identity check"), default=dict, blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["school", "direction", "status"])]
        constraints = [
            # A bundle (by its manifest hash) comes into a school once: a second
            # import would double every entry, document and key person.
            models.UniqueConstraint(
                fields=["school", "manifest_hash"],
                condition=models.Q(direction="in") & ~models.Q(manifest_hash=""),
                name="transfer_in_bundle_once_per_school",
            )
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self):
        return f"T{self.pk:06d}" if self.pk else "T—"

    @property
    def has_receipt(self):
        return bool(self.receipt_via)

    @property
    def conversation_done(self):
        return bool(self.conversation_summary or self.conversation_not_needed)


def transfer_document_path(instance, filename):
    return f"transfers/{instance.transfer.school_id}/{instance.transfer_id}/{filename}"


class TransferDocument(StoredDocument):
    """A file of a transfer: the encrypted bundle we send, evidence of receipt, or a
    file (PDF, scan, attachment) that came from the previous school."""

    class Purpose(models.TextChoices):
        BUNDLE = "bundle", _("Transfer bundle (encrypted)")
        EVIDENCE = "evidence", _("Evidence of receipt")
        RECEIVED = "received", _("From the previous school")

    transfer = models.ForeignKey(
        Transfer, on_delete=models.PROTECT, related_name="documents"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    file = models.FileField(
        _("file"),
        storage=get_private_storage,
        upload_to=transfer_document_path,
        max_length=255,
    )

    class Meta(StoredDocument.Meta):
        verbose_name = _("transfer document")
        verbose_name_plural = _("transfer documents")


class PreviousSchoolEntry(models.Model):
    """One entry of the chronology a child's previous school sent, kept as they
    wrote it: shown in the child's chronology marked "from previous school"."""

    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="previous_entries"
    )
    transfer = models.ForeignKey(
        Transfer, on_delete=models.PROTECT, related_name="entries"
    )
    occurred_at = models.DateTimeField(_("when"))
    kind = models.CharField(_("kind"), max_length=30)
    kind_label = models.CharField(_("kind (as sent)"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("as recorded"))
    by = models.CharField(_("recorded by"), max_length=200, blank=True)
    school_name = models.CharField(_("school"), max_length=200)

    class Meta:
        verbose_name = _("entry from a previous school")
        verbose_name_plural = _("entries from previous schools")
        ordering = ["occurred_at", "pk"]

    def __str__(self):
        return self.title


class ImportedRecord(models.Model):
    """Where a record in this child's file came from when a previous school sent
    it: a concern, decision, referral, flag, key person or note made here by an
    import is the same kind of record the school makes itself (so the front
    sheet, the chronology, file health and reports read it as such), and this
    says "from <school>, received <date>" and who recorded it there.

    One row per imported record (generic, like SignificantMark), so no record
    model needs a column for it; `imported_ids(model)` gives the pks for reports
    that count imported records apart or leave them out. A record that came in is
    never worked again here: no process is started for it and the clock leaves it
    alone. A transfer sent on carries the origin with it."""

    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="imported_records"
    )
    transfer = models.ForeignKey(
        Transfer,
        verbose_name=_("received on"),
        on_delete=models.PROTECT,
        related_name="imported_records",
    )
    target_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.PositiveBigIntegerField()
    school_name = models.CharField(_("recorded at"), max_length=200)
    by = models.CharField(_("recorded there by"), max_length=200, blank=True)
    sent_key = models.CharField(_("key in the bundle"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("record from a previous school")
        verbose_name_plural = _("records from previous schools")
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id"], name="unique_imported_record"
            )
        ]
        indexes = [models.Index(fields=["pupil", "target_type"])]

    def __str__(self):
        return f"{self.target_type.model} {self.target_id} from {self.school_name}"

    @property
    def received_on(self):
        return self.transfer.imported_at or self.transfer.started_at


def imported_ids(model):
    """The pks of `model`'s records that came from previous schools, as a
    subquery: `Concern.objects.exclude(pk__in=imported_ids(Concern))`."""
    return ImportedRecord.objects.filter(
        target_type=ContentType.objects.get_for_model(model)
    ).values("target_id")


class InstallationKey(models.Model):
    """This installation's Ed25519 key pair, made once (the first time a receipt
    is signed) and kept: it signs the receipts for the files that arrive here.
    The public key travels in each receipt; the private key never leaves."""

    private_seed = models.CharField(max_length=64, editable=False)
    public_key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("installation key")
        verbose_name_plural = _("installation keys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=1), name="installation_key_is_one"
            )
        ]

    def __str__(self):
        return self.public_key
