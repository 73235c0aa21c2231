"""Backup and restore, for real: a populated database (migrate + demo) is backed up
with scripts/backup.py, restored with scripts/restore.py into a new database, and the
copy has every row of every table and passes `manage.py verify_audit_chain`.

The database kind is the test run's: SQLite by default, PostgreSQL (pg_dump /
pg_restore from the machine) when DATABASE_URL names a PostgreSQL server, as in CI.
"""

import hashlib
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import environ
import pytest

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


def site_env(database, media):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chronicle.settings.dev",
        "DATABASE_URL": database.url,
        "MEDIA_ROOT": str(media / "media"),
        "PRIVATE_MEDIA_ROOT": str(media / "private-media"),
    }


@pytest.fixture
def databases(tmp_path):
    made = []

    def make(name):
        made.append(Database(tmp_path, name))
        return made[-1]

    yield make
    for database in made:
        database.drop()


def test_backup_and_restore_round_trip_every_record_and_keep_the_audit_chain(
    tmp_path, databases
):
    live, restored = databases("live"), databases("restored")
    live_env = site_env(live, tmp_path / "live")
    run([sys.executable, "manage.py", "migrate", "--noinput"], live_env)
    run([sys.executable, "manage.py", "demo"], live_env)
    attachment = tmp_path / "live" / "private-media" / "attachments" / "note.txt"
    attachment.parent.mkdir(parents=True)
    attachment.write_text("synthetic attachment")
    backup = tmp_path / "backup"

    run([sys.executable, "scripts/backup.py", str(backup)], live_env)
    restored_env = site_env(restored, tmp_path / "restored")
    run([sys.executable, "scripts/restore.py", str(backup)], restored_env)

    check = run([sys.executable, "manage.py", "verify_audit_chain"], restored_env)
    assert "Audit chain intact" in check.stdout
    live_prints = live.table_fingerprints()
    assert live_prints["audit_chainedlogentry"][0] > 100  # a populated database
    assert restored.table_fingerprints() == live_prints
    copy = tmp_path / "restored" / "private-media" / "attachments" / "note.txt"
    assert copy.read_text() == "synthetic attachment"

    # Restoring never overwrites: the same target again is refused.
    again = run(
        [sys.executable, "scripts/restore.py", str(backup)], restored_env, False
    )
    assert again.returncode == 2
    assert "Restore refused" in again.stderr
