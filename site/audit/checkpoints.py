"""Signed checkpoints of the audit chain, kept outside the database.

A checkpoint says "at this time the chain ended at entry #id with this hash, and held
this many entries", signed with the chain's HMAC key. It is written as a new,
read-only file in AUDIT_CHECKPOINT_DIR — a folder on storage the database's
administrators cannot write (docs/operations.md) — and optionally mailed to the DPO.
`manage.py verify_audit_chain` compares the chain with every one: entries removed
from the end of the log (which leave no break in the chain itself) and an entry whose
hash changed are then named. A new checkpoint is refused while the log disagrees with
the previous one, so a trimmed log is never signed as the truth.
"""

import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.db import DEFAULT_DB_ALIAS, transaction

from . import chain

FORMAT = 1
PREFIX = "checkpoint-"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checkpoint:
    last_id: int
    last_hash: str
    count: int
    time: str  # ISO 8601, UTC
    key_id: str
    signature: str = ""

    def payload(self) -> bytes:
        fields = asdict(self)
        fields.pop("signature")
        fields["format"] = FORMAT
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.time)

    def describe(self) -> str:
        return (
            f"checkpoint of {self.time} (entry #{self.last_id}, {self.count} entries)"
        )


def directory() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR)


def _current_state(model, using):
    """(last id, last hash, count), taken under the append lock so no entry is
    half-counted."""
    with transaction.atomic(using=using):
        chain.lock_for_append(using)
        entries = model.objects.using(using)
        last = entries.order_by("-pk").values_list("pk", "entry_hash").first()
        if last is None:
            return 0, chain.GENESIS, 0
        return last[0], last[1], entries.filter(pk__lte=last[0]).count()


def write(*, model, using: str = DEFAULT_DB_ALIAS, now=None) -> tuple[Checkpoint, Path]:
    """Write a new signed checkpoint file (never overwriting one) and mail it to
    AUDIT_CHECKPOINT_EMAIL if set."""
    check_previous(model, using)
    last_id, last_hash, count = _current_state(model, using)
    ring = chain.keyring()
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    unsigned = Checkpoint(
        last_id=last_id,
        last_hash=last_hash,
        count=count,
        time=moment.isoformat(),
        key_id=ring.current_id,
    )
    checkpoint = Checkpoint(
        **{**asdict(unsigned), "signature": ring.sign(unsigned.payload())}
    )
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{PREFIX}{moment:%Y%m%dT%H%M%S%fZ}-{last_id}.json"
    body = json.dumps({**asdict(checkpoint), "format": FORMAT}, indent=2) + "\n"
    # "x": a new file or nothing; read-only once written.
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(body)
    os.chmod(path, 0o440)
    if settings.AUDIT_CHECKPOINT_EMAIL:
        send_mail(
            subject=f"Chronicle audit checkpoint {checkpoint.time}",
            message=(
                "Keep this message: it lets the audit log be checked for entries "
                "removed or rewritten after this time (docs/operations.md).\n\n" + body
            ),
            from_email=None,
            recipient_list=list(settings.AUDIT_CHECKPOINT_EMAIL),
        )
    return checkpoint, path


def _read(path: Path) -> Checkpoint:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("format", None)
    return Checkpoint(
        last_id=int(data["last_id"]),
        last_hash=str(data["last_hash"]),
        count=int(data["count"]),
        time=str(data["time"]),
        key_id=str(data["key_id"]),
        signature=str(data["signature"]),
    )


def valid(*, as_of: datetime | None = None):
    """Every checkpoint whose signature holds, oldest first (only those written at or
    before `as_of` if given: a backup is compared with what was checkpointed before
    it was made), and the problems found on the way (unreadable or badly signed
    files)."""
    folder = directory()
    problems = []
    found = []
    paths = sorted(folder.glob(f"{PREFIX}*.json")) if folder.is_dir() else []
    ring = chain.keyring()
    for path in paths:
        try:
            checkpoint = _read(path)
        except (ValueError, KeyError, TypeError, OSError):
            problems.append(f"checkpoint {path.name}: unreadable")
            continue
        if not ring.check(
            checkpoint.payload(), kid=checkpoint.key_id, signature=checkpoint.signature
        ):
            problems.append(
                f"checkpoint {path.name}: signature does not match (altered, or "
                "signed with a key not in the keyring)"
            )
            continue
        if as_of is not None and checkpoint.when > as_of:
            continue
        found.append(checkpoint)
    found.sort(key=lambda c: (c.when, c.last_id))
    return found, problems


def against_all(found: list[Checkpoint], report) -> list[str]:
    """The problems of the newest checkpoint the chain disagrees with, and how many
    older ones disagree too (entries removed long ago are missing from every
    checkpoint taken since they were written)."""
    disagreeing = [c for c in found if compare(c, report)]
    if not disagreeing:
        return []
    problems = compare(disagreeing[-1], report)
    if len(disagreeing) > 1:
        problems.append(f"{len(disagreeing) - 1} earlier checkpoints disagree too")
    return problems


class CheckpointRefused(Exception):
    pass


def _alert_recipients() -> list[str]:
    """The DPO (AUDIT_CHECKPOINT_EMAIL) if set, else the active system
    administrators: someone must hear of it, and the scheduler's log alone is read
    by no one until too late."""
    if settings.AUDIT_CHECKPOINT_EMAIL:
        return list(settings.AUDIT_CHECKPOINT_EMAIL)
    from django.contrib.auth import get_user_model

    admins = get_user_model().objects.filter(is_active=True, is_superuser=True)
    return sorted({email for email in admins.values_list("email", flat=True) if email})


def alert_refused(previous: Checkpoint, problems: list[str]) -> None:
    """Log at CRITICAL and mail that the log disagrees with its last checkpoint. The
    problems name entry ids and counts only, never case content."""
    logger.critical(
        "AUDIT LOG TAMPERING SUSPECTED: the audit log disagrees with its last "
        "checkpoint (%s): %s. Run manage.py verify_audit_chain.",
        previous.describe(),
        "; ".join(problems),
    )
    recipients = _alert_recipients()
    if not recipients:
        return
    send_mail(
        subject="Chronicle: the audit log disagrees with its last checkpoint",
        message=(
            "Chronicle refused to write a new audit checkpoint because the audit log "
            f"no longer holds what its last {previous.describe()} saw:\n\n"
            + "".join(f"- {problem}\n" for problem in problems)
            + "\nEntries may have been removed or rewritten by someone with access "
            "to the database. Run `python manage.py verify_audit_chain` on the "
            'server and follow docs/operations.md ("Check the audit log has not '
            'been tampered with"). No new checkpoint is written until this is '
            "resolved.\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )


def check_previous(model, using: str = DEFAULT_DB_ALIAS) -> None:
    """Before signing a new checkpoint: the log must still hold what the previous one
    saw, or the new one would sign a log already trimmed (two cheap queries). A
    refusal is logged at CRITICAL and mailed (alert_refused)."""
    found, _problems = valid()
    if not found:
        return
    previous = found[-1]
    entries = model.objects.using(using).filter(pk__lte=previous.last_id)
    at = entries.filter(pk=previous.last_id).values_list("entry_hash", flat=True)
    report = chain.ChainReport(marks={previous.last_id: (entries.count(), at.first())})
    problems = compare(previous, report)
    if problems:
        alert_refused(previous, problems)
        raise CheckpointRefused(
            "No new checkpoint: the audit log no longer holds what the last one "
            "saw. " + "; ".join(problems)
        )


def compare(checkpoint: Checkpoint, report) -> list[str]:
    """What the chain walk (chain.walk marking checkpoint.last_id) says against the
    checkpoint."""
    problems = []
    count_upto, hash_at = report.upto(checkpoint.last_id)
    missing = checkpoint.count - count_upto
    if missing > 0:
        problems.append(
            f"truncated: {missing} entries missing up to entry #{checkpoint.last_id} "
            f"(the {checkpoint.describe()} counted {checkpoint.count}, the database "
            f"holds {count_upto})"
        )
    elif missing < 0:
        problems.append(
            f"{-missing} entries up to #{checkpoint.last_id} that the "
            f"{checkpoint.describe()} did not count (inserted afterwards)"
        )
    if checkpoint.last_id and hash_at is None:
        problems.append(
            f"truncated: entry #{checkpoint.last_id}, the last one the "
            f"{checkpoint.describe()} saw, is missing"
        )
    elif hash_at not in (None, checkpoint.last_hash):
        problems.append(
            f"entry #{checkpoint.last_id}: hash differs from the signed "
            f"{checkpoint.describe()} (re-hashed)"
        )
    return problems
