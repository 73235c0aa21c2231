"""The keyed chain and its signed checkpoints: someone with database rights (the
append-only triggers dropped, as an attacker or a careless restore would) removes
the newest entries or re-hashes an edited one, and verify_audit_chain names it."""

import hashlib
import json
import os
import stat

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit import chain, checkpoints, db_guard
from audit.keys import DEV_KEY, key_id
from audit.models import ChainedLogEntry
from records.models import Pupil

from ..factories import PupilFactory, UserFactory

NEW_KEY = "a-new-audit-key-after-rotation-0123456789"


@pytest.fixture
def populated(school):
    PupilFactory.create_batch(60, school=school)
    return list(ChainedLogEntry.objects.order_by("pk"))


def verify(*args):
    """verify_audit_chain's output, and its error if it failed."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_audit_chain", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), ""


def plain_rehash_from(entry):
    """What someone without the key can do after editing `entry`: recompute SHA-256
    hashes (the old, unkeyed scheme) from it to the end, so every link matches."""
    prev = entry.prev_hash
    for later in ChainedLogEntry.objects.filter(pk__gte=entry.pk).order_by("pk"):
        content = f"{prev}\n{chain.canonical_content(later)}".encode()
        new_hash = hashlib.sha256(content).hexdigest()
        ChainedLogEntry.objects.filter(pk=later.pk).update(
            prev_hash=prev, entry_hash=new_hash
        )
        prev = new_hash


def test_entries_are_signed_with_the_key_from_the_environment(populated):
    entry = populated[-1]
    assert entry.key_id == key_id(DEV_KEY)
    plain = hashlib.sha256(
        f"{entry.prev_hash}\n{chain.canonical_content(entry)}".encode()
    ).hexdigest()
    assert entry.entry_hash != plain  # a plain SHA-256 cannot reproduce it
    assert "Audit chain intact: " in verify()[0]


@pytest.mark.parametrize("removed", [5, 40])
def test_removed_newest_entries_and_a_rehashed_edit_are_both_named(populated, removed):
    call_command("audit_checkpoint")
    total = ChainedLogEntry.objects.count()
    db_guard.remove(connection)
    newest = ChainedLogEntry.objects.order_by("-pk")[:removed]
    ChainedLogEntry.objects.filter(pk__in=[e.pk for e in newest]).delete()
    victim = populated[3]
    ChainedLogEntry.objects.filter(pk=victim.pk).update(object_repr="Someone else")
    plain_rehash_from(ChainedLogEntry.objects.get(pk=victim.pk))

    out, error = verify()

    assert f"truncated: {removed} entries missing up to entry #" in error
    assert f"counted {total}, the database holds {total - removed}" in error
    assert f"entry #{victim.pk}: hash does not match its content" in error
    assert "intact" not in out


def test_a_trimmed_log_is_never_signed_by_a_later_checkpoint(populated, school):
    call_command("audit_checkpoint")
    PupilFactory(school=school)
    call_command("audit_checkpoint")
    db_guard.remove(connection)
    newest = ChainedLogEntry.objects.order_by("-pk")[:5]
    ChainedLogEntry.objects.filter(pk__in=[e.pk for e in newest]).delete()

    with pytest.raises(CommandError, match=r"No new checkpoint: .* truncated: 5"):
        call_command("audit_checkpoint")
    error = verify()[1]
    assert "truncated: 5 entries missing" in error
    assert "1 earlier checkpoints disagree too" in error


def test_an_edit_rehashed_as_unkeyed_entries_is_named(populated):
    db_guard.remove(connection)
    victim = populated[10]
    ChainedLogEntry.objects.filter(pk__gte=victim.pk).update(key_id="")
    ChainedLogEntry.objects.filter(pk=victim.pk).update(object_repr="Someone else")
    plain_rehash_from(ChainedLogEntry.objects.get(pk=victim.pk))

    error = verify()[1]

    assert f"entry #{victim.pk}: written without the key after keyed entries" in error


def test_the_whole_log_rewritten_without_the_key_differs_from_the_checkpoint(
    populated,
):
    call_command("audit_checkpoint")
    db_guard.remove(connection)
    ChainedLogEntry.objects.update(key_id="")
    first = ChainedLogEntry.objects.order_by("pk").first()
    ChainedLogEntry.objects.filter(pk=first.pk).update(object_repr="Someone else")
    plain_rehash_from(ChainedLogEntry.objects.get(pk=first.pk))

    error = verify()[1]

    last = populated[-1].pk
    assert f"entry #{last}: hash differs from the signed checkpoint" in error


def rewrite_all_unkeyed():
    """Someone with database rights but not the key rewrites the whole log as if it
    predated the key: every entry unkeyed, plain SHA-256 hashes that all link."""
    db_guard.remove(connection)
    ChainedLogEntry.objects.update(key_id="")
    plain_rehash_from(ChainedLogEntry.objects.order_by("pk").first())


def test_a_log_rewritten_unkeyed_after_a_checkpoint_of_a_new_log_is_named(school):
    """The checkpoint written right after install, of an empty log, still shows
    that the chain was keyed from then on."""
    db_guard.remove(connection)
    ChainedLogEntry.objects.all().delete()  # a new install's log (rolled back after)
    call_command("audit_checkpoint")
    (checkpoint,) = checkpoints.valid()[0]
    PupilFactory.create_batch(5, school=school)
    first_after = ChainedLogEntry.objects.filter(pk__gt=checkpoint.last_id).first()
    rewrite_all_unkeyed()

    out, error = verify()

    assert (
        f"entry #{first_after.pk}: written without the key after entry "
        f"#{checkpoint.last_id}, where the checkpoint of {checkpoint.time}"
    ) in error
    assert "intact" not in out


def test_production_requires_a_checkpoint_so_an_unkeyed_rewrite_is_not_intact(
    populated, settings
):
    settings.AUDIT_REQUIRE_CHECKPOINT = True  # chronicle.settings.production
    rewrite_all_unkeyed()

    out, error = verify()

    assert "no checkpoint in" in error and "intact" not in out
    assert verify("--no-require-checkpoint")[1] == ""  # a dev or CI database


def test_entries_after_the_checkpoint_are_counted_and_the_checkpoint_is_read_only(
    populated, school, checkpoint_dir
):
    call_command("audit_checkpoint")
    PupilFactory(school=school)

    out, error = verify("--require-checkpoint")

    assert error == ""
    assert f"entry #{populated[-1].pk}, {len(populated)} entries" in out
    assert "1 entries written since" in out
    (path,) = checkpoint_dir.iterdir()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o440
    data = json.loads(path.read_text())
    assert (data["last_id"], data["count"]) == (populated[-1].pk, len(populated))


def test_a_forged_checkpoint_is_named_and_not_trusted(populated, checkpoint_dir):
    _checkpoint, path = checkpoints.write(model=ChainedLogEntry)
    os.chmod(path, 0o600)
    data = json.loads(path.read_text())
    data["count"] = 3  # as if the log had been three entries long
    path.write_text(json.dumps(data))

    error = verify()[1]

    assert f"checkpoint {path.name}: signature does not match" in error


def test_no_checkpoint_is_a_warning_unless_one_is_required(populated):
    out, error = verify()
    assert error == "" and "No checkpoint in" in out
    assert "no checkpoint in" in verify("--require-checkpoint")[1]


def test_a_checkpoint_is_mailed_to_the_dpo_when_an_address_is_set(populated, settings):
    settings.AUDIT_CHECKPOINT_EMAIL = ["dpo@example.org"]
    call_command("audit_checkpoint")
    (message,) = mail.outbox
    assert message.to == ["dpo@example.org"]
    assert f'"last_id": {populated[-1].pk}' in message.body


def test_key_rotation_keeps_old_entries_verifiable(populated, settings, school):
    settings.AUDIT_HMAC_KEY = NEW_KEY
    settings.AUDIT_HMAC_PREVIOUS_KEYS = [DEV_KEY]
    PupilFactory(school=school)
    assert ChainedLogEntry.objects.latest("pk").key_id == key_id(NEW_KEY)
    assert verify()[1] == ""

    # Without the retired key its entries can't be checked, and are named.
    settings.AUDIT_HMAC_PREVIOUS_KEYS = []
    error = verify()[1]
    assert f"entry #{populated[0].pk}: signed with key {key_id(DEV_KEY)}" in error
    assert "not in the keyring" in error


def test_an_entry_signed_with_a_retired_key_after_a_newer_one_is_named(
    populated, settings, school
):
    settings.AUDIT_HMAC_KEY = NEW_KEY
    settings.AUDIT_HMAC_PREVIOUS_KEYS = [DEV_KEY]
    PupilFactory(school=school)
    # Someone holding only the retired (perhaps leaked) key appends an entry.
    settings.AUDIT_HMAC_KEY = DEV_KEY
    settings.AUDIT_HMAC_PREVIOUS_KEYS = []
    PupilFactory(school=school)
    forged = ChainedLogEntry.objects.latest("pk")
    settings.AUDIT_HMAC_KEY = NEW_KEY
    settings.AUDIT_HMAC_PREVIOUS_KEYS = [DEV_KEY]

    error = verify()[1]

    assert f"entry #{forged.pk}: signed with the retired key" in error


def test_entries_from_before_the_chain_was_keyed_still_verify(school):
    """Upgrading: entries hashed without a key keep their plain hash (key_id "");
    the first keyed entry after them covers them."""
    PupilFactory.create_batch(3, school=school)
    db_guard.remove(connection)
    ChainedLogEntry.objects.update(key_id="")
    first = ChainedLogEntry.objects.order_by("pk").first()
    plain_rehash_from(first)  # as the entries were written before the upgrade
    db_guard.install(connection)
    legacy = list(ChainedLogEntry.objects.order_by("pk"))
    assert "not keyed yet" in verify()[0]

    PupilFactory(school=school)
    out, error = verify()
    assert error == ""
    assert f"{len(legacy)} entries from before the chain was keyed are covered" in out


def trim_after_a_checkpoint(removed=5):
    call_command("audit_checkpoint")
    db_guard.remove(connection)
    newest = ChainedLogEntry.objects.order_by("-pk")[:removed]
    ChainedLogEntry.objects.filter(pk__in=[e.pk for e in newest]).delete()


def run_scheduled_checkpoint():
    from ops.scheduler import JOBS, run_due

    (job,) = [job for job in JOBS if job.name == "audit_checkpoint"]
    run_due(jobs_to_run=(job,))


def test_a_trimmed_log_found_by_the_scheduler_alerts_the_dpo(
    populated, settings, caplog
):
    settings.AUDIT_CHECKPOINT_EMAIL = ["dpo@example.org"]
    trim_after_a_checkpoint()
    mail.outbox.clear()  # the first checkpoint's own copy

    with caplog.at_level("CRITICAL", logger="audit.checkpoints"):
        run_scheduled_checkpoint()

    (record,) = [r for r in caplog.records if r.levelname == "CRITICAL"]
    assert "AUDIT LOG TAMPERING SUSPECTED" in record.getMessage()
    assert "truncated: 5 entries missing" in record.getMessage()
    (message,) = mail.outbox
    assert message.to == ["dpo@example.org"]
    assert "disagrees with its last checkpoint" in message.subject
    assert "truncated: 5 entries missing" in message.body
    assert "manage.py verify_audit_chain" in message.body
    # Names nothing from the case records: no child's name.
    assert not any(pupil.last_name in message.body for pupil in Pupil.objects.all())


def test_without_a_dpo_address_the_active_system_administrators_are_told(
    populated,
):
    UserFactory(email="admin@example.org", is_superuser=True)
    UserFactory(email="gone@example.org", is_superuser=True, is_active=False)
    UserFactory(email="dsl@example.org")
    trim_after_a_checkpoint()

    run_scheduled_checkpoint()

    (message,) = mail.outbox
    assert message.to == ["admin@example.org"]
    assert "python manage.py verify_audit_chain" in message.body


def test_the_scheduler_writes_a_checkpoint_every_15_minutes(populated, checkpoint_dir):
    from datetime import timedelta

    from ops.scheduler import JOBS, run_due

    (job,) = [job for job in JOBS if job.name == "audit_checkpoint"]
    assert job.every == timedelta(minutes=15)

    assert run_due(jobs_to_run=(job,)) == ["audit_checkpoint"]

    (path,) = checkpoint_dir.iterdir()
    assert json.loads(path.read_text())["last_id"] == populated[-1].pk
