"""Backup and restore, for real: a populated database (migrate + demo) is backed up
with scripts/backup.py, restored with scripts/restore.py into a new database, and the
copy has every row of every table and passes `manage.py verify_audit_chain`.

Backups are encrypted to an age key pair made here, written 0600/0700, and carry a
signed manifest (audit count, last hash, checksums). A restore checks all of it
before it writes anything: a backup altered, cut short or trimmed of its newest audit
entries is refused and leaves the targets empty.

The database kind is the test run's: SQLite by default, PostgreSQL (pg_dump /
pg_restore from the machine) when DATABASE_URL names a PostgreSQL server, as in CI.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import environ
import pyrage
import pytest

from audit import db_guard

ROOT = Path(__file__).resolve().parents[2]


class Database:
    """A new, empty database of the run's kind, dropped afterwards."""

    def __init__(self, tmp_path, name):
        url = os.environ.get("DATABASE_URL", "")
        self.admin = None
        if url.startswith(("postgres://", "postgresql://")):
            import psycopg

            config = environ.Env.db_url_config(url)
            self.name = f"chronicle_backup_{name}_{uuid.uuid4().hex[:8]}"
            self.admin = psycopg.connect(
                host=config["HOST"] or None,
                port=config["PORT"] or None,
                user=config["USER"] or None,
                password=config["PASSWORD"] or None,
                dbname="postgres",
                autocommit=True,
            )
            self.admin.execute(f'CREATE DATABASE "{self.name}"')
            self.url = url.rsplit("/", 1)[0] + f"/{self.name}"
            self.config = {**config, "NAME": self.name}
        else:
            self.path = tmp_path / f"{name}.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def table_fingerprints(self):
        """{table: (rows, sha256 of every row)}: equal only if every record is."""
        if self.admin is None:
            connection = sqlite3.connect(self.path)
            tables = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            ]
            prints = {}
            for table in tables:
                rows = connection.execute(f'SELECT * FROM "{table}"').fetchall()  # noqa: S608
                digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode())
                prints[table] = (len(rows), digest.hexdigest())
            connection.close()
            return prints
        import psycopg

        with psycopg.connect(
            host=self.config["HOST"] or None,
            port=self.config["PORT"] or None,
            user=self.config["USER"] or None,
            password=self.config["PASSWORD"] or None,
            dbname=self.name,
        ) as connection:
            tables = [
                row[0]
                for row in connection.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            ]
            prints = {}
            for table in tables:
                prints[table] = connection.execute(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, ',' "  # noqa: S608
                    f"ORDER BY t::text), '')) FROM \"{table}\" t"
                ).fetchone()
            return prints

    def execute(self, statements):
        """Run SQL as someone with the database's rights (no Django)."""
        if self.admin is None:
            connection = sqlite3.connect(self.path)
            with connection:
                for statement in statements:
                    connection.execute(statement)
            connection.close()
            return
        import psycopg

        with psycopg.connect(
            host=self.config["HOST"] or None,
            port=self.config["PORT"] or None,
            user=self.config["USER"] or None,
            password=self.config["PASSWORD"] or None,
            dbname=self.name,
            autocommit=True,
        ) as connection:
            for statement in statements:
                connection.execute(statement)

    def trim_audit_tail(self, count):
        """Drop the append-only triggers and delete the newest audit entries."""
        vendor = "sqlite" if self.admin is None else "postgresql"
        remove = db_guard.STATEMENTS[vendor][1]
        table = db_guard.TABLE
        self.execute(
            [
                *remove,
                f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} "  # noqa: S608
                f"ORDER BY id DESC LIMIT {int(count)})",
            ]
        )

    def exists(self):
        if self.admin is None:
            return self.path.exists()
        return bool(self.table_fingerprints())

    def drop(self):
        if self.admin is not None:
            self.admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.admin.close()


def run(args, env, check=True):
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def site_env(database, media, secrets):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chronicle.settings.dev",
        "DATABASE_URL": database.url,
        "MEDIA_ROOT": str(media / "media"),
        "PRIVATE_MEDIA_ROOT": str(media / "private-media"),
        **secrets,
    }


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class World:
    """One populated site (migrate + demo + an attachment), a checkpoint of its audit
    log, and one backup of it, shared by this module's tests."""

    def __init__(self, root):
        self.root = root
        self.made = []
        identity = pyrage.x25519.Identity.generate()
        key_file = root / "backup-identity.txt"
        key_file.write_text(f"{identity}\n")
        key_file.chmod(0o600)
        self.secrets = {
            "BACKUP_AGE_RECIPIENTS": str(identity.to_public()),
            "BACKUP_AGE_IDENTITY_FILE": str(key_file),
            "AUDIT_HMAC_KEY": "backup-test-audit-key-" + "b" * 24,
            "AUDIT_CHECKPOINT_DIR": str(root / "audit-checkpoints"),
        }
        self.live = self.database("live")
        self.live_env = self.env(self.live, "live")
        run([sys.executable, "manage.py", "migrate", "--noinput"], self.live_env)
        run([sys.executable, "manage.py", "demo"], self.live_env)
        attachment = root / "live" / "private-media" / "attachments" / "note.txt"
        attachment.parent.mkdir(parents=True)
        attachment.write_text("synthetic attachment")
        run([sys.executable, "manage.py", "audit_checkpoint"], self.live_env)
        self.backup = root / "backup"
        run([sys.executable, "scripts/backup.py", str(self.backup)], self.live_env)
        self.manifest = json.loads((self.backup / "manifest.json").read_text())

    def database(self, name):
        self.made.append(Database(self.root, name))
        return self.made[-1]

    def env(self, database, name):
        return site_env(database, self.root / name, self.secrets)

    def restore(self, backup, name, check=True):
        """A new, empty target; restore `backup` into it."""
        target = self.database(name)
        env = self.env(target, name)
        result = run([sys.executable, "scripts/restore.py", str(backup)], env, check)
        return target, env, result

    def nothing_written(self, target, name):
        media = [self.root / name / "media", self.root / name / "private-media"]
        return not target.exists() and not any(
            folder.is_dir() and any(folder.iterdir()) for folder in media
        )

    def drop(self):
        for database in self.made:
            database.drop()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    made = World(tmp_path_factory.mktemp("backups"))
    yield made
    made.drop()


def test_backup_and_restore_round_trip_every_record_and_keep_the_audit_chain(world):
    restored, restored_env, _result = world.restore(world.backup, "restored")

    check = run([sys.executable, "manage.py", "verify_audit_chain"], restored_env)
    assert "Audit chain intact" in check.stdout
    live_prints = world.live.table_fingerprints()
    assert live_prints["audit_chainedlogentry"][0] > 100  # a populated database
    assert restored.table_fingerprints() == live_prints
    copy = world.root / "restored" / "private-media" / "attachments" / "note.txt"
    assert copy.read_text() == "synthetic attachment"

    # Restoring never overwrites: the same target again is refused.
    again = run(
        [sys.executable, "scripts/restore.py", str(world.backup)], restored_env, False
    )
    assert again.returncode == 2
    assert "Restore refused" in again.stderr


def test_the_backup_is_encrypted_private_and_its_manifest_says_what_is_in_it(world):
    backup, manifest = world.backup, world.manifest

    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    names = sorted(path.name for path in backup.iterdir())
    assert names == sorted([*manifest["files"], "manifest.json"])  # nothing plain
    for path in backup.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    for name, facts in manifest["files"].items():
        assert name.endswith(".age")
        assert (backup / name).read_bytes().startswith(b"age-encryption.org/v1")
        assert facts["sha256"] == sha256(backup / name)
    rows, _digest = world.live.table_fingerprints()["audit_chainedlogentry"]
    assert manifest["audit"]["count"] == rows
    checkpoint = json.loads(
        next(Path(world.secrets["AUDIT_CHECKPOINT_DIR"]).iterdir()).read_text()
    )
    assert manifest["audit"]["last_id"] == checkpoint["last_id"]
    assert manifest["audit"]["last_hash"] == checkpoint["last_hash"]
    assert manifest["signature"]


def test_a_backup_cut_short_is_refused_and_nothing_is_written(world, tmp_path):
    copy = tmp_path / "cut"
    shutil.copytree(world.backup, copy)
    database = copy / world.manifest["database"]
    database.write_bytes(database.read_bytes()[:-4096])

    target, _env, result = world.restore(copy, "cut", check=False)

    assert result.returncode == 2
    assert f"{world.manifest['database']} does not match its checksum" in result.stderr
    assert world.nothing_written(target, "cut")


def test_a_backup_with_its_audit_tail_trimmed_is_refused(world, tmp_path):
    # Someone with the database's rights and the backup key trims the newest audit
    # entries from a copy and backs it up again.
    work, work_env, _result = world.restore(world.backup, "work")
    work.trim_audit_tail(5)
    trimmed = tmp_path / "trimmed"
    run([sys.executable, "scripts/backup.py", str(trimmed)], work_env)

    # Its own manifest is honest about the trimmed log; the checkpoint taken before
    # the backup is not.
    target, _env, result = world.restore(trimmed, "from-trimmed", check=False)
    assert result.returncode == 2
    assert "truncated: 5 entries missing up to entry #" in result.stderr
    assert world.nothing_written(target, "from-trimmed")

    # Passed off as the original backup, with the checksums fixed up to match: the
    # manifest's signature (the audit key) cannot be fixed up.
    forged = tmp_path / "forged"
    shutil.copytree(world.backup, forged)
    name = world.manifest["database"]
    shutil.copyfile(trimmed / name, forged / name)
    manifest = json.loads((forged / "manifest.json").read_text())
    manifest["files"][name] = json.loads((trimmed / "manifest.json").read_text())[
        "files"
    ][name]
    (forged / "manifest.json").write_text(json.dumps(manifest))

    target, _env, result = world.restore(forged, "from-forged", check=False)
    assert result.returncode == 2
    assert "manifest's signature does not match" in result.stderr
    assert world.nothing_written(target, "from-forged")


def test_a_non_empty_private_media_folder_is_refused_before_the_database(world):
    stray = world.root / "busy" / "private-media" / "someone-elses.txt"
    stray.parent.mkdir(parents=True)
    stray.write_text("already here")

    target, _env, result = world.restore(world.backup, "busy", check=False)

    assert result.returncode == 2
    assert "private-media is not empty" in result.stderr
    assert not target.exists()  # the database was not written first
    assert not (world.root / "busy" / "media").exists()


def test_there_is_no_unencrypted_backup(world, tmp_path):
    env = {**world.live_env, "BACKUP_AGE_RECIPIENTS": ""}

    result = run(
        [sys.executable, "scripts/backup.py", str(tmp_path / "plain")], env, False
    )

    assert result.returncode == 2
    assert "BACKUP_AGE_RECIPIENTS is not set" in result.stderr
    assert not (tmp_path / "plain").exists()
