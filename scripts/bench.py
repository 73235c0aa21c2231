#!/usr/bin/env python
"""`make bench`: every main page's cost on a trust-sized database (issue 17).

Creates its own PostgreSQL database (chronicle_bench_<random>, on 127.0.0.1:5432 as
user postgres unless BENCH_SERVER says otherwise), migrates it, generates a 20-school
trust (`manage.py generate_trust`; 100,000 concerns, or --concerns / BENCH_CONCERNS),
measures each page, export and API list as the role that uses it, writes the table
to docs/performance.md under a label (--label / BENCH_LABEL: "before", "after"…) and
drops the database.

    python scripts/bench.py --concerns 1000000 --label after
    python scripts/bench.py --database my_db --keep   # reuse a generated database
"""

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    env = os.environ.get
    parser.add_argument(
        "--concerns", type=int, default=int(env("BENCH_CONCERNS") or 100_000)
    )
    parser.add_argument("--schools", type=int, default=int(env("BENCH_SCHOOLS") or 20))
    parser.add_argument("--runs", type=int, default=int(env("BENCH_RUNS") or 5))
    parser.add_argument("--label", default=env("BENCH_LABEL") or "latest")
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument(
        "--server", default=env("BENCH_SERVER") or "postgres://postgres@127.0.0.1:5432"
    )
    parser.add_argument(
        "--database",
        help="Use this existing database (generated if empty) instead of a new one.",
    )
    parser.add_argument(
        "--keep", action="store_true", help="Don't drop the database afterwards."
    )
    return parser.parse_args()


def say(text):
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def admin(server, statement):
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def main():
    args = arguments()
    name = args.database or f"chronicle_bench_{secrets.token_hex(4)}"
    made = args.database is None
    if made:
        admin(args.server, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        say(f"Created database {name}.")
    os.environ.update(
        DATABASE_URL=f"{args.server}/{name}",
        DJANGO_SETTINGS_MODULE="chronicle.settings.dev",
        DEBUG="false",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
    )
    sys.path[:0] = [str(ROOT), str(ROOT / "site")]
    # Imported once the environment names the database.
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from accounts.models import User
    from api.services import token_create
    from demo.bench.run import run

    def api_headers(username, scope):
        _token, raw = token_create(
            user=User.objects.get(username=username),
            name="benchmark",
            scopes=[scope],
            days=1,
        )
        return {"Authorization": f"Bearer {raw}"}

    started = time.monotonic()
    try:
        say("Migrating…")
        call_command("migrate", verbosity=0)
        run(
            concerns=args.concerns,
            schools=args.schools,
            runs=args.runs,
            label=args.label,
            output=args.output,
            api_headers=api_headers,
            say=say,
        )
    finally:
        connections.close_all()
        if made and not args.keep:
            admin(
                args.server,
                sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)),
            )
            say(f"Dropped database {name}.")
        say(f"Benchmark took {(time.monotonic() - started) / 60:.1f} minutes.")


if __name__ == "__main__":
    main()
