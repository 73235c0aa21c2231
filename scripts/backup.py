#!/usr/bin/env python3
"""Back up Chronicle: the database and both media folders, into one new directory.

    .venv/bin/python scripts/backup.py /srv/backups/chronicle-$(date +%F-%H%M)

Reads DATABASE_URL, MEDIA_ROOT and PRIVATE_MEDIA_ROOT from the environment (the same
variables the site runs with; defaults as in chronicle.settings.base).

- PostgreSQL: `pg_dump --format=custom` (a consistent snapshot taken while the site
  runs), to database.dump.
- SQLite: the sqlite3 online backup (`.backup`), to database.sqlite3: a consistent
  copy even while the site writes, which a plain `cp` of the file is not.
- MEDIA_ROOT and PRIVATE_MEDIA_ROOT (case attachments) as tar archives.

The directory also gets manifest.json (what is in it and the audit entry count).
Restore with scripts/restore.py. See docs/operations.md.
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

from dbconfig import ROOT, database_config, pg_environment

MEDIA = {
    "media.tar.gz": ("MEDIA_ROOT", ROOT / "var" / "media"),
    "private-media.tar.gz": ("PRIVATE_MEDIA_ROOT", ROOT / "var" / "private-media"),
}


def backup_database(config, target):
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


def backup_media(target):
    written = []
    for archive, (variable, default) in MEDIA.items():
        folder = Path(os.environ.get(variable) or default)
        with tarfile.open(target / archive, "w:gz") as tar:
            if folder.is_dir():
                tar.add(folder, arcname=".")
        written.append(archive)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path, help="a new directory to write")
    args = parser.parse_args(argv)
    args.directory.mkdir(parents=True, exist_ok=False)
    config = database_config()
    database = backup_database(config, args.directory)
    media = backup_media(args.directory)
    manifest = {"engine": config["ENGINE"], "database": database, "media": media}
    (args.directory / "manifest.json").write_text(json.dumps(manifest, indent=2))
    sys.stdout.write(f"Backup written to {args.directory}\n")


if __name__ == "__main__":
    main()
