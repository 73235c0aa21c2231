"""Files kept for records: the abstract stored document and its virus check."""

from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _


class ScanStatus(models.TextChoices):
    """A stored file's malware scan (records.scanning)."""

    CLEAN = "clean", _("checked for viruses")
    NOT_SCANNED = "not_scanned", _("not checked for viruses")
    # Stored while clamd was not answering (MALWARE_SCAN=hold): not served until
    # manage.py scan_held_files has checked it.
    HELD = "held", _("waiting for its virus check")
    REFUSED = "refused", _("removed: the virus check found harmful content")


class StoredDocument(models.Model):
    """A file kept for a record: in private storage, served only through a
    permission-checked, audited view; the original name is kept for display, never
    used as the stored name. Subclasses add the record it belongs to and `file`."""

    scan_status = models.CharField(
        _("virus check"),
        max_length=20,
        choices=ScanStatus.choices,
        default=ScanStatus.NOT_SCANNED,
    )
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # Each subclass declares its `file` (a FileField with its own upload path).
    file: FieldFile

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name
