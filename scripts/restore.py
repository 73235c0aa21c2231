#!/usr/bin/env python3
"""Restore a backup made by scripts/backup.py into an empty database.

    DATABASE_URL=postgres://chronicle@db/chronicle_restored \\
        .venv/bin/python scripts/restore.py /srv/backups/chronicle-2026-11-29-0200
    .venv/bin/python manage.py verify_audit_chain

The target must be empty: a new PostgreSQL database (`createdb`), or an SQLite path
where no file exists yet. Restoring never overwrites live data; once the restored
copy checks out, point the site at it (or rename it into place) and restart.
MEDIA_ROOT and PRIVATE_MEDIA_ROOT must be empty or absent folders too.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from backup import MEDIA
from dbconfig import database_config, pg_environment


class RestoreRefused(Exception):
    pass


def _pg_has_tables(config):
    result = subprocess.run(  # noqa: S603 (fixed tool, no shell)
        [
            shutil.which("psql") or "psql",
            "-At",
            "-c",
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            config["NAME"],
        ],
        env=pg_environment(config),
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout.strip() or 0) > 0


def restore_database(config, source, manifest):
    if config["ENGINE"].endswith("postgresql"):
        if manifest["database"] != "database.dump":
            raise RestoreRefused("This backup is of SQLite; the target is PostgreSQL.")
        if _pg_has_tables(config):
            raise RestoreRefused(f"Database {config['NAME']} is not empty.")
        subprocess.run(  # noqa: S603 (fixed tool, no shell)
            [
                shutil.which("pg_restore") or "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                config["NAME"],
                str(source / "database.dump"),
            ],
            env=pg_environment(config),
            check=True,
        )
        return
    if manifest["database"] != "database.sqlite3":
        raise RestoreRefused("This backup is of PostgreSQL; the target is SQLite.")
    target = Path(config["NAME"])
    if target.exists():
        raise RestoreRefused(f"{target} exists: restore to a new path.")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "database.sqlite3", target)


def restore_media(source):
    for archive, (variable, default) in MEDIA.items():
        folder = Path(os.environ.get(variable) or default)
        if folder.is_dir() and any(folder.iterdir()):
            raise RestoreRefused(f"{folder} is not empty.")
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(source / archive) as tar:
            tar.extractall(folder, filter="data")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path, help="a directory from backup.py")
    args = parser.parse_args(argv)
    manifest = json.loads((args.directory / "manifest.json").read_text())
    try:
        restore_database(database_config(), args.directory, manifest)
        restore_media(args.directory)
    except RestoreRefused as refused:
        sys.stderr.write(f"Restore refused: {refused}\n")
        return 2
    sys.stdout.write("Restored. Now run: python manage.py verify_audit_chain\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
