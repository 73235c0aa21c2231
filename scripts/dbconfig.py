"""The database the site uses, from DATABASE_URL as the settings read it."""

import os
from pathlib import Path

import environ

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'chronicle.sqlite3'}"


def database_config():
    return environ.Env.db_url_config(os.environ.get("DATABASE_URL") or DEFAULT_URL)


def pg_environment(config):
    """libpq variables for pg_dump / pg_restore / psql: no password on a command
    line, where other users of the machine could read it."""
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if config.get(key):
            env[variable] = str(config[key])
    return env
