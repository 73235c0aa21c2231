"""Audit entries for the generated casework, chained and keyed exactly as the app
chains them (audit.chain), so `manage.py verify_audit_chain` passes over them.

Entries are appended in the order they are made (ids ascending); their timestamps are
the times of the steps they record, as if the trust had used Chronicle for years.
"""

from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType

from audit import chain
from audit.models import AuditAction, ChainedLogEntry

from .writer import Table

CREATE, UPDATE, ACCESS = AuditAction.CREATE, AuditAction.UPDATE, AuditAction.ACCESS


class AuditTrail:
    def __init__(self, emails):
        self.table = Table(ChainedLogEntry)
        self.ring = chain.keyring()
        self.types = {}
        self.emails = emails  # user id -> email, as auditlog copies it
        self.prev = chain.last_hash(ChainedLogEntry)

    def lock(self):
        """Appends are serialised by the app's advisory lock (held to the end of the
        transaction): take it before each transaction that writes entries."""
        chain.lock_for_append()

    def content_type(self, model):
        if model not in self.types:
            self.types[model] = ContentType.objects.get_for_model(model).pk
        return self.types[model]

    def add(self, model, pk, text, action, at, actor, changes=None, extra=None):
        entry = SimpleNamespace(
            id=self.table.take_id(),
            content_type_id=self.content_type(model),
            object_pk=str(pk),
            object_id=pk,
            object_repr=text[:200],
            action=action,
            changes_text="",
            changes=changes,
            serialized_data=None,
            actor_id=actor,
            actor_email=self.emails.get(actor),
            cid=None,
            remote_addr="10.20.0.%d" % (actor % 250 + 1) if actor else None,
            remote_port=None,
            timestamp=at,
            additional_data=extra,
            key_id=self.ring.current_id,
        )
        entry.prev_hash = self.prev
        entry.entry_hash = chain.entry_hash(entry, self.prev, self.ring)
        self.prev = entry.entry_hash
        self.table.add(**vars(entry))

    def created(self, model, pk, text, at, actor, fields):
        changes = {"id": [None, pk], **{k: [None, v] for k, v in fields.items()}}
        self.add(model, pk, text, CREATE, at, actor, changes)

    def changed(self, model, pk, text, at, actor, fields):
        self.add(model, pk, text, UPDATE, at, actor, fields)

    def read(self, model, pk, text, at, actor, event, **details):
        self.add(model, pk, text, ACCESS, at, actor, None, {"event": event, **details})

    def flush(self):
        self.table.flush()
