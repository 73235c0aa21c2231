#!/usr/bin/env python3
"""Restore a backup made by scripts/backup.py into an empty database: all or nothing.

    BACKUP_AGE_IDENTITY_FILE=/secure/chronicle-backup.key \\
    DATABASE_URL=postgres://chronicle@db/chronicle_restored \\
        .venv/bin/python scripts/restore.py /srv/backups/chronicle-2026-11-29-0200

The target must be empty: a new PostgreSQL database (`createdb`), or an SQLite path
where no file exists yet; MEDIA_ROOT and PRIVATE_MEDIA_ROOT empty or absent folders.
Restoring never overwrites live data; once the restored copy checks out, point the
site at it (or rename it into place) and restart.

Everything is checked before anything is written:

1. the manifest's signature (AUDIT_HMAC_KEY, as the site that made it) and the
   SHA-256 of every file it lists;
2. the targets are empty;
3. each file decrypts (BACKUP_AGE_IDENTITY_FILE: the age private key) to what the
   manifest says, into a private (0700) temporary folder; the archives hold only
   plain files inside their folder;
4. the audit log in the dump has the manifest's entry count and last hash, and (SQLite)
   `verify_audit_chain --as-of <backup time>` passes on the decrypted copy: the chain
   is whole and nothing checkpointed before the backup is missing.

Only then is the database written and the media unpacked. PostgreSQL's chain is
verified once restored (a dump can only be read by a database); if that or any write
fails, everything written is removed again and the targets are left empty.
"""

import argparse
import hmac
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pyrage
from backup import (
    ENCRYPTED,
    FORMAT,
    MEDIA,
    audit_state,
    manifest_payload,
    sha256,
)
from dbconfig import ROOT, database_config, pg_environment

sys.path.insert(0, str(ROOT / "site"))
from audit.keys import from_environ


class RestoreRefused(Exception):
    pass


def _psql(config, sql):
    return subprocess.run(  # noqa: S603 (fixed tool, no shell)
        [
            shutil.which("psql") or "psql",
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
            config["NAME"],
        ],
        env=pg_environment(config),
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _pg_has_tables(config):
    sql = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
    return int(_psql(config, sql).strip() or 0) > 0


# -- 1. the manifest and the files ---------------------------------------------------


def read_manifest(source: Path, environ) -> dict:
    path = source / "manifest.json"
    if not path.is_file():
        raise RestoreRefused(f"{path} is missing: this is not a complete backup.")
    try:
        manifest = json.loads(path.read_text())
    except ValueError:
        raise RestoreRefused(f"{path} is not valid JSON.") from None
    if manifest.get("format") != FORMAT:
        raise RestoreRefused(
            "This backup was made by an older backup.py (unencrypted, no checksums): "
            "restore it by hand as docs/operations.md describes."
        )
    ring = from_environ(environ)
    if not ring.check(
        manifest_payload(manifest),
        kid=str(manifest.get("key_id", "")),
        signature=str(manifest.get("signature", "")),
    ):
        raise RestoreRefused(
            "The manifest's signature does not match: the backup was altered, or "
            "AUDIT_HMAC_KEY is not the key of the site that made it."
        )
    return manifest


def check_files(source: Path, manifest: dict):
    listed = manifest["files"]
    for name in (manifest["database"], *manifest["media"]):
        if name not in listed:
            raise RestoreRefused(f"The manifest lists no checksum for {name}.")
    for name, facts in listed.items():
        path = source / name
        if Path(name).name != name or not path.is_file():
            raise RestoreRefused(f"{name} is missing from the backup.")
        if not hmac.compare_digest(sha256(path), facts["sha256"]):
            raise RestoreRefused(
                f"{name} does not match its checksum in the manifest (altered or "
                "cut short)."
            )


# -- 2. the targets ------------------------------------------------------------------


def media_folders():
    return {
        archive: Path(os.environ.get(variable) or default)
        for archive, (variable, default) in MEDIA.items()
    }


def check_targets(config, manifest):
    is_pg = config["ENGINE"].endswith("postgresql")
    if is_pg and manifest["database"] != "database.dump" + ENCRYPTED:
        raise RestoreRefused("This backup is of SQLite; the target is PostgreSQL.")
    if not is_pg and manifest["database"] != "database.sqlite3" + ENCRYPTED:
        raise RestoreRefused("This backup is of PostgreSQL; the target is SQLite.")
    if is_pg and _pg_has_tables(config):
        raise RestoreRefused(f"Database {config['NAME']} is not empty.")
    if not is_pg and Path(config["NAME"]).exists():
        raise RestoreRefused(f"{config['NAME']} exists: restore to a new path.")
    for folder in media_folders().values():
        if folder.is_dir() and any(folder.iterdir()):
            raise RestoreRefused(f"{folder} is not empty.")


# -- 3. decrypt and look inside --------------------------------------------------------


def identities(environ, identity_file):
    path = identity_file or environ.get("BACKUP_AGE_IDENTITY_FILE", "")
    if not path:
        raise RestoreRefused(
            "Give the backup's age private key: BACKUP_AGE_IDENTITY_FILE or --identity."
        )
    found = []
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            try:
                found.append(pyrage.x25519.Identity.from_str(line.strip()))
            except pyrage.IdentityError:
                raise RestoreRefused(f"{path} holds no age private key.") from None
    return found


def decrypt_all(source: Path, manifest: dict, keys, plain: Path) -> dict:
    """{archive or database name: decrypted path}, each checked against the
    manifest."""
    out = {}
    for name, facts in manifest["files"].items():
        target = plain / name.removesuffix(ENCRYPTED)
        try:
            pyrage.decrypt_file(str(source / name), str(target), keys)
        except pyrage.DecryptError:
            raise RestoreRefused(
                f"{name} cannot be decrypted with the key given."
            ) from None
        if not hmac.compare_digest(sha256(target), facts["plain_sha256"]):
            raise RestoreRefused(f"{name} decrypts to something else than was saved.")
        out[name.removesuffix(ENCRYPTED)] = target
    return out


def check_archive(path: Path, folder: Path):
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            try:
                tarfile.data_filter(member, str(folder))
            except tarfile.FilterError as error:
                raise RestoreRefused(f"{path.name}: {error}") from None


def verify_chain(database_url: str, created: str, environ) -> None:
    result = subprocess.run(  # noqa: S603 (our own manage.py, no shell)
        [sys.executable, "manage.py", "verify_audit_chain", "--as-of", created],
        cwd=ROOT,
        env={**environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise RestoreRefused(f"The audit log in the backup is not whole:\n{detail}")


def check_audit(manifest, database: str, dump: Path, environ):
    found = audit_state(database, dump)
    expected = manifest["audit"]
    if found != expected:
        raise RestoreRefused(
            f"The audit log in the backup has {found['count']} entries (last "
            f"#{found['last_id']}); its manifest says {expected['count']} (last "
            f"#{expected['last_id']}): the backup was altered."
        )
    if database == "database.sqlite3":
        verify_chain(f"sqlite:///{dump}", manifest["created"], environ)


# -- 4. write, or undo ---------------------------------------------------------------


def write_database(config, dump: Path):
    if config["ENGINE"].endswith("postgresql"):
        subprocess.run(  # noqa: S603 (fixed tool, no shell)
            [
                shutil.which("pg_restore") or "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                config["NAME"],
                str(dump),
            ],
            env=pg_environment(config),
            check=True,
            capture_output=True,
        )
        return
    target = Path(config["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(dump, target)
    os.chmod(target, 0o600)


def undo(config, created_folders):
    """Leave the targets as they were: empty."""
    if config["ENGINE"].endswith("postgresql"):
        _psql(config, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        Path(config["NAME"]).unlink(missing_ok=True)
    for folder, made in created_folders.items():
        if made:
            shutil.rmtree(folder, ignore_errors=True)
        elif folder.is_dir():
            for child in folder.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()


def restore(source: Path, *, identity_file=None, work_dir=None, environ=None):
    environ = dict(os.environ if environ is None else environ)
    config = database_config()
    manifest = read_manifest(source, environ)
    check_files(source, manifest)
    check_targets(config, manifest)
    keys = identities(environ, identity_file)
    database = manifest["database"].removesuffix(ENCRYPTED)
    folders = media_folders()
    with tempfile.TemporaryDirectory(prefix="chronicle-restore-", dir=work_dir) as tmp:
        plain = Path(tmp)
        os.chmod(plain, 0o700)
        decrypted = decrypt_all(source, manifest, keys, plain)
        for archive, folder in folders.items():
            check_archive(decrypted[archive], folder)
        check_audit(manifest, database, decrypted[database], environ)

        created = {folder: not folder.exists() for folder in folders.values()}
        try:
            write_database(config, decrypted[database])
            for archive, folder in folders.items():
                folder.mkdir(parents=True, exist_ok=True)
                with tarfile.open(decrypted[archive]) as tar:
                    tar.extractall(folder, filter="data")
            if database == "database.dump":
                url = environ.get("DATABASE_URL", "")
                verify_chain(url, manifest["created"], environ)
        except BaseException:
            undo(config, created)
            raise
    return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path, help="a directory from backup.py")
    parser.add_argument(
        "--identity", help="the age private key file (else BACKUP_AGE_IDENTITY_FILE)"
    )
    parser.add_argument(
        "--work-dir", help="where to decrypt before checking (default: the system's)"
    )
    args = parser.parse_args(argv)
    try:
        manifest = restore(
            args.directory, identity_file=args.identity, work_dir=args.work_dir
        )
    except RestoreRefused as refused:
        sys.stderr.write(f"Restore refused: {refused}\nNothing was written.\n")
        return 2
    except subprocess.CalledProcessError as failed:
        sys.stderr.write(
            f"Restore failed: {failed.cmd[0]} exited {failed.returncode}\n"
            f"{failed.stderr or ''}\nEverything it wrote was removed again.\n"
        )
        return 1
    audit = manifest["audit"]
    sys.stdout.write(
        f"Restored (audit log: {audit['count']} entries, verified). Now run: "
        "python manage.py verify_audit_chain\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
