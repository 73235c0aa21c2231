"""The hash chain over audit entries: what is hashed, how appends are serialised, and
how the chain is verified."""

import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.ipv6 import clean_ipv6_address

GENESIS = "0" * 64
# Any constant works; it names the PostgreSQL advisory lock that serialises appends.
ADVISORY_LOCK_KEY = 0x43_48_52_4F_4E


def mask_whole_value(value):
    """AUDITLOG_MASK_CALLABLE: masked fields are redacted entirely, not half-shown."""
    return "[redacted]"


def _json(value):
    return json.dumps(
        value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")
    )


def _ip(value):
    if value and ":" in value:
        return clean_ipv6_address(value)
    return value or None


def canonical_content(entry):
    """The entry's content as one stable string: the same before save and after a
    reload from SQLite or PostgreSQL."""
    timestamp = entry.timestamp
    return _json(
        {
            "content_type": entry.content_type_id,
            "object_pk": str(entry.object_pk),
            "object_id": entry.object_id,
            "object_repr": entry.object_repr,
            "serialized_data": json.loads(_json(entry.serialized_data)),
            "action": entry.action,
            "changes_text": entry.changes_text,
            "changes": json.loads(_json(entry.changes)),
            "actor": entry.actor_id,
            "actor_email": entry.actor_email,
            "cid": entry.cid,
            "remote_addr": _ip(entry.remote_addr),
            "remote_port": entry.remote_port,
            "timestamp": timestamp.timestamp() if timestamp else None,
            "additional_data": json.loads(_json(entry.additional_data)),
        }
    )


def entry_hash(entry, prev_hash):
    content = f"{prev_hash}\n{canonical_content(entry)}".encode()
    return hashlib.sha256(content).hexdigest()


def lock_for_append(using=None):
    """Serialise appends so two writers can't chain to the same predecessor.

    PostgreSQL: a transaction-scoped advisory lock. SQLite allows one writer at a time.
    """
    connection = connections[using or DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def last_hash(model, using=None):
    last = (
        model.objects.using(using or DEFAULT_DB_ALIAS)
        .order_by("-pk")
        .values_list("entry_hash", flat=True)
        .first()
    )
    return last or GENESIS


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


def verify(model, *, batch_size=2000):
    """Walk the chain in id order; return the first break, or None if it is whole."""
    expected_prev = GENESIS
    entries = model.objects.order_by("pk").iterator(chunk_size=batch_size)
    for entry in entries:
        if entry.prev_hash != expected_prev:
            return ChainBreak(
                entry.pk,
                "its predecessor is missing or was altered "
                "(previous hash does not match)",
            )
        if entry_hash(entry, entry.prev_hash) != entry.entry_hash:
            return ChainBreak(entry.pk, "its content was altered (hash does not match)")
        expected_prev = entry.entry_hash
    return None
