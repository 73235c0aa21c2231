from auditlog.models import AbstractLogEntry
from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from . import chain


class AuditAction:
    """django-auditlog's actions and Chronicle's own: a refused request for a case
    URL (audit.refusals)."""

    CREATE = AbstractLogEntry.Action.CREATE
    UPDATE = AbstractLogEntry.Action.UPDATE
    DELETE = AbstractLogEntry.Action.DELETE
    ACCESS = AbstractLogEntry.Action.ACCESS
    ACCESS_DENIED = 4

    choices = (
        *AbstractLogEntry.Action.choices,
        (ACCESS_DENIED, _("access refused")),
    )


class ChainedLogEntry(AbstractLogEntry):
    """One audit entry, chained to the one before it by an HMAC-SHA256 hash.

    entry_hash covers this entry's content and the previous entry's hash, keyed with
    the key key_id names (audit.keys: from the environment, never the database), so
    altering or removing any row breaks the chain from there on, and nobody without
    the key can re-hash it whole (`manage.py verify_audit_chain`, which also compares
    the chain with the latest signed checkpoint outside the database: checkpoints.py).
    The database refuses UPDATE and DELETE on this table (see db_guard.py).
    """

    action = models.PositiveSmallIntegerField(
        choices=AuditAction.choices, verbose_name=_("action"), db_index=True
    )

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
    # Empty on entries written before the chain was keyed (plain SHA-256).
    key_id = models.CharField(
        _("key id"), max_length=16, blank=True, default="", editable=False
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
        ring = chain.keyring()
        self.key_id = ring.current_id
        self.prev_hash = chain.last_hash(type(self), using)
        self.entry_hash = chain.entry_hash(self, self.prev_hash, ring)
        return super()._do_insert(manager, using, fields, returning_fields, raw)
