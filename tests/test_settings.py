"""Production settings refuse to start without secrets and pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_ENV = {
    "SECRET_KEY": "a-production-like-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "chronicle.example.org",
    "DATABASE_URL": "sqlite:////tmp/chronicle-check-deploy.sqlite3",
}


def manage(*args, **env_changes):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env["DJANGO_SETTINGS_MODULE"] = "chronicle.settings.production"
    env.update(env_changes)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = dict(PRODUCTION_ENV)
    del env["ALLOWED_HOSTS"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_refuses_to_start_without_a_database_url():
    env = dict(PRODUCTION_ENV)
    del env["DATABASE_URL"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_passes_the_deployment_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
