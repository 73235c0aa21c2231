"""The hash chain over audit entries: what is hashed, how appends are serialised, and
how the chain is verified.

Each entry is signed with an HMAC-SHA256 key from the environment (audit.keys) over
its key id, its predecessor's hash and its content: without the key, nobody can
re-hash an altered entry so that it verifies. Entries written before the chain was
keyed (key_id "") keep their plain SHA-256 hash; the first keyed entry covers the
last of them through its prev_hash, so they cannot be rewritten unnoticed either
once one keyed entry follows them.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.ipv6 import clean_ipv6_address

from .keys import Keyring

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


def keyring():
    """The keyring from settings, read at each use (tests rotate keys)."""
    return Keyring(
        settings.AUDIT_HMAC_KEY, tuple(settings.AUDIT_HMAC_PREVIOUS_KEYS or ())
    )


def entry_hash(entry, prev_hash, ring=None):
    """The entry's hash under the key its key_id names (a plain SHA-256 for an entry
    from before the chain was keyed); None if that key is not in the keyring."""
    if not entry.key_id:
        content = f"{prev_hash}\n{canonical_content(entry)}".encode()
        return hashlib.sha256(content).hexdigest()
    key = (ring or keyring()).key_for(entry.key_id)
    if key is None:
        return None
    message = f"{entry.key_id}\n{prev_hash}\n{canonical_content(entry)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


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


MAX_LISTED = 50


@dataclass
class ChainReport:
    """What a walk of the chain found: every problem (the first MAX_LISTED named),
    and what a checkpoint is compared with."""

    count: int = 0
    last_id: int = 0
    last_hash: str = GENESIS
    unkeyed: int = 0
    problems: list = field(default_factory=list)
    problem_count: int = 0
    # For each marked entry id (the checkpoints'): how many entries have an id up to
    # it, and its hash (None if it is missing).
    marks: dict = field(default_factory=dict)

    def upto(self, entry_id):
        """(entries with an id up to entry_id, that entry's hash or None)."""
        return self.marks[entry_id]

    def problem(self, text):
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(text)


def _check_key(entry, report, ring, state):
    """A keyed entry must name a key in the keyring, and never go back to an older
    key (a leaked retired key must not be usable to append); an unkeyed entry may
    only come before the first keyed one, and never after `keyed_after` (the end of
    the earliest checkpoint: every entry since was written by a site with the key,
    so a log rewritten unkeyed from end to end is named too)."""
    if not entry.key_id:
        report.unkeyed += 1
        if state["newest_rank"] is not None:
            report.problem(
                f"entry #{entry.pk}: written without the key after keyed entries"
            )
        elif state["keyed_after"] is not None and entry.pk > state["keyed_after"]:
            report.problem(
                f"entry #{entry.pk}: written without the key after entry "
                f"#{state['keyed_after']}, where the {state['keyed_since']} shows "
                "the chain was keyed (the log was rewritten without the key)"
            )
        return
    rank = ring.rank(entry.key_id)
    if rank is None:
        report.problem(
            f"entry #{entry.pk}: signed with key {entry.key_id}, which is not in "
            "the keyring (AUDIT_HMAC_KEY, AUDIT_HMAC_PREVIOUS_KEYS)"
        )
        return
    newest = state["newest_rank"]
    if newest is not None and rank > newest:
        report.problem(
            f"entry #{entry.pk}: signed with the retired key {entry.key_id} after "
            "entries signed with a newer key"
        )
    state["newest_rank"] = rank if newest is None else min(rank, newest)


def walk(
    model,
    *,
    marks=(),
    keyed_after=None,
    keyed_since="",
    batch_size=2000,
    using=None,
):
    """Walk the whole chain in id order and report every break, and what it holds up
    to each id in `marks` (ChainReport.upto). Entries after id `keyed_after` must be
    keyed; `keyed_since` says what shows it (a checkpoint)."""
    ring = keyring()
    report = ChainReport()
    pending = sorted(set(marks))
    hashes = {}
    state = {
        "newest_rank": None,
        "keyed_after": keyed_after,
        "keyed_since": keyed_since,
    }
    expected_prev = GENESIS
    entries = (
        model.objects.using(using or DEFAULT_DB_ALIAS)
        .order_by("pk")
        .iterator(chunk_size=batch_size)
    )
    for entry in entries:
        if entry.prev_hash != expected_prev:
            report.problem(
                f"entry #{entry.pk}: its predecessor is missing or was altered "
                "(previous hash does not match)"
            )
        _check_key(entry, report, ring, state)
        computed = entry_hash(entry, entry.prev_hash, ring)
        if computed is not None and not hmac.compare_digest(computed, entry.entry_hash):
            report.problem(
                f"entry #{entry.pk}: hash does not match its content (altered, or "
                "re-hashed without the key)"
            )
        expected_prev = entry.entry_hash
        while pending and pending[0] < entry.pk:
            mark = pending.pop(0)
            report.marks[mark] = (report.count, hashes.pop(mark, None))
        if pending and pending[0] == entry.pk:
            hashes[entry.pk] = entry.entry_hash
        report.count += 1
        report.last_id, report.last_hash = entry.pk, entry.entry_hash
    for mark in pending:
        report.marks[mark] = (report.count, hashes.pop(mark, None))
    return report
