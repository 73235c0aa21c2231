#!/usr/bin/env python3
"""Back up Chronicle: the database and both media folders, encrypted, into one new
directory.

    BACKUP_AGE_RECIPIENTS=age1… \\
        .venv/bin/python scripts/backup.py /srv/backups/chronicle-$(date +%F-%H%M)

Reads DATABASE_URL, MEDIA_ROOT and PRIVATE_MEDIA_ROOT from the environment (the same
variables the site runs with; defaults as in chronicle.settings.base), and:

- BACKUP_AGE_RECIPIENTS: the age public key(s) the backup is encrypted to
  (comma-separated; `age-keygen` or pyrage makes a pair). The private key is kept
  away from the server and is needed only to restore. Required: there are no
  unencrypted backups.
- AUDIT_HMAC_KEY (and AUDIT_HMAC_PREVIOUS_KEYS): the audit chain's key, which signs
  the manifest, so nobody without it can alter the backup and fix the manifest up.

What is written, every file 0600 in a 0700 directory:

- PostgreSQL: `pg_dump --format=custom` (a consistent snapshot taken while the site
  runs), as database.dump.age.
- SQLite: the sqlite3 online backup (a consistent copy even while the site writes,
  which a plain `cp` of the file is not), as database.sqlite3.age.
- MEDIA_ROOT and PRIVATE_MEDIA_ROOT (case attachments) as tar archives, .tar.gz.age.
- manifest.json: the files with the SHA-256 of each (encrypted and plain), the audit
  log as the dump holds it (entry count, last id, last hash), the time, signed.

The plain files exist only while each is encrypted, in a 0700 folder inside the
backup directory, removed on the way out. Restore with scripts/restore.py.
See docs/operations.md.
"""

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pyrage
from dbconfig import ROOT, database_config, pg_environment

sys.path.insert(0, str(ROOT / "site"))
from audit.keys import from_environ

FORMAT = 2
AUDIT_TABLE = "audit_chainedlogentry"
MEDIA = {
    "media.tar.gz": ("MEDIA_ROOT", ROOT / "var" / "media"),
    "private-media.tar.gz": ("PRIVATE_MEDIA_ROOT", ROOT / "var" / "private-media"),
}
ENCRYPTED = ".age"


class BackupRefused(Exception):
    pass


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_payload(manifest: dict) -> bytes:
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":")).encode()


def recipients(value: str):
    keys = [key.strip() for key in (value or "").split(",") if key.strip()]
    if not keys:
        raise BackupRefused(
            "BACKUP_AGE_RECIPIENTS is not set: give the age public key(s) the "
            "backup is encrypted to (docs/operations.md). Nothing was written."
        )
    try:
        return keys, [pyrage.x25519.Recipient.from_str(key) for key in keys]
    except pyrage.RecipientError as error:
        raise BackupRefused(f"BACKUP_AGE_RECIPIENTS: {error}") from None


# -- the audit log as a dump holds it ------------------------------------------------


def audit_state_sqlite(path: Path) -> dict:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        count, last_id = connection.execute(
            f"SELECT count(*), coalesce(max(id), 0) FROM {AUDIT_TABLE}"  # noqa: S608
        ).fetchone()
        row = connection.execute(
            f"SELECT entry_hash FROM {AUDIT_TABLE} WHERE id = ?",  # noqa: S608
            [last_id],
        ).fetchone()
    finally:
        connection.close()
    return {"count": count, "last_id": last_id, "last_hash": row[0] if row else ""}


def audit_state_pg_dump(path: Path) -> dict:
    """Read the audit table's rows out of a custom-format dump, without a database:
    pg_restore writes its COPY block as text."""
    result = subprocess.run(  # noqa: S603 (fixed tool, no shell)
        [
            shutil.which("pg_restore") or "pg_restore",
            "--data-only",
            f"--table={AUDIT_TABLE}",
            "--file=-",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    columns, count, last_id, last_hash = None, 0, 0, ""
    for line in result.stdout.splitlines():
        if columns is None:
            if line.startswith("COPY ") and AUDIT_TABLE in line:
                inside = line[line.index("(") + 1 : line.index(")")]
                columns = [name.strip().strip('"') for name in inside.split(",")]
            continue
        if line == "\\.":
            break
        # Tabs inside a value are escaped (\t) in COPY text: split is exact.
        values = dict(zip(columns, line.split("\t"), strict=False))
        count += 1
        if int(values["id"]) > last_id:
            last_id, last_hash = int(values["id"]), values["entry_hash"]
    return {"count": count, "last_id": last_id, "last_hash": last_hash}


def audit_state(database: str, path: Path) -> dict:
    if database == "database.dump":
        return audit_state_pg_dump(path)
    return audit_state_sqlite(path)


# -- writing ---------------------------------------------------------------------------


def backup_database(config, target: Path) -> str:
    if config["ENGINE"].endswith("postgresql"):
        subprocess.run(  # noqa: S603 (fixed tool, no shell)
            [
                shutil.which("pg_dump") or "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                str(target / "database.dump"),
                config["NAME"],
            ],
            env=pg_environment(config),
            check=True,
        )
        return "database.dump"
    source = sqlite3.connect(f"file:{config['NAME']}?mode=ro", uri=True)
    copy = sqlite3.connect(target / "database.sqlite3")
    with copy:
        source.backup(copy)
    copy.close()
    source.close()
    return "database.sqlite3"


def backup_media(target: Path) -> list[str]:
    written = []
    for archive, (variable, default) in MEDIA.items():
        folder = Path(os.environ.get(variable) or default)
        with tarfile.open(target / archive, "w:gz") as tar:
            if folder.is_dir():
                tar.add(folder, arcname=".")
        written.append(archive)
    return written


def encrypt(plain: Path, directory: Path, to) -> tuple[str, dict]:
    name = plain.name + ENCRYPTED
    sealed = directory / name
    pyrage.encrypt_file(str(plain), str(sealed), to)
    os.chmod(sealed, 0o600)
    return name, {
        "sha256": sha256(sealed),
        "plain_sha256": sha256(plain),
        "bytes": sealed.stat().st_size,
    }


def write_backup(directory: Path, environ=None) -> dict:
    environ = os.environ if environ is None else environ
    keys, to = recipients(environ.get("BACKUP_AGE_RECIPIENTS", ""))
    ring = from_environ(environ)
    os.umask(0o077)
    directory.mkdir(parents=True, exist_ok=False, mode=0o700)
    os.chmod(directory, 0o700)
    config = database_config()
    files = {}
    with tempfile.TemporaryDirectory(prefix=".plain-", dir=directory) as work:
        plain = Path(work)
        created = datetime.now(UTC).isoformat()
        database = backup_database(config, plain)
        audit = audit_state(database, plain / database)
        media = backup_media(plain)
        for name in (database, *media):
            sealed, facts = encrypt(plain / name, directory, to)
            files[sealed] = facts
            (plain / name).unlink()
    manifest = {
        "format": FORMAT,
        "created": created,
        "engine": config["ENGINE"],
        "database": database + ENCRYPTED,
        "media": [name + ENCRYPTED for name in media],
        "files": files,
        "audit": audit,
        "encryption": {"scheme": "age X25519", "recipients": keys},
        "key_id": ring.current_id,
    }
    manifest["signature"] = ring.sign(manifest_payload(manifest))
    path = directory / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    os.chmod(path, 0o600)
    return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path, help="a new directory to write")
    args = parser.parse_args(argv)
    try:
        manifest = write_backup(args.directory)
    except BackupRefused as refused:
        sys.stderr.write(f"Backup refused: {refused}\n")
        return 2
    audit = manifest["audit"]
    sys.stdout.write(
        f"Backup written to {args.directory} (encrypted; audit log: {audit['count']} "
        f"entries, last #{audit['last_id']})\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
