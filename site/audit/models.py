from auditlog.models import AbstractLogEntry
from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from . import chain


class ChainedLogEntry(AbstractLogEntry):
    """One audit entry, chained to the one before it by a SHA-256 hash.

    entry_hash covers this entry's content and the previous entry's hash, so altering
    or removing any row breaks the chain from there on (`manage.py verify_audit_chain`).
    The database refuses UPDATE and DELETE on this table (see db_guard.py).
    """

    # Entries outlive what they point at: a removed user or content type must not
    # cascade into (or null a hashed field of) an append-only row.
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("content type"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        blank=True,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    entry_hash = models.CharField(
        _("entry hash"), max_length=64, editable=False, unique=True
    )

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["content_type", "object_pk", "-timestamp"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit entries are append-only and cannot be changed.")
        with transaction.atomic(using=kwargs.get("using")):
            chain.lock_for_append(kwargs.get("using"))
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only and cannot be deleted.")

    def _do_insert(self, manager, using, fields, returning_fields, raw):
        # Hashed here, not in save(): auditlog sets the actor and remote address in a
        # pre_save receiver that runs after save() has started.
        self.prev_hash = chain.last_hash(type(self), using)
        self.entry_hash = chain.entry_hash(self, self.prev_hash)
        return super()._do_insert(manager, using, fields, returning_fields, raw)
