"""Production settings refuse to start without secrets and pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_ENV = {
    "SECRET_KEY": "a-production-like-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "chronicle.example.org",
    "DATABASE_URL": "sqlite:////tmp/chronicle-check-deploy.sqlite3",
    "EMAIL_URL": "smtp+tls://chronicle:secret@smtp.example.org:587",
    "AUDIT_HMAC_KEY": "an-audit-chain-key-for-tests-" + "k" * 24,
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


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY must be set"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS must be set"),
        ("DATABASE_URL", "DATABASE_URL"),
        ("EMAIL_URL", "EMAIL_URL must be set"),
        ("AUDIT_HMAC_KEY", "AUDIT_HMAC_KEY must be set"),
    ],
)
def test_production_refuses_to_start_without_a_required_setting(missing, message):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    "weak",
    [
        "x",
        "short-but-varied-0123456789",  # 27 characters
        "ab" * 40,  # long, but two different characters
        "django-insecure-" + "q7Vz2mK9pL4wX8nR3tY6uB1cE5hJ0gF" * 2,
    ],
)
def test_production_refuses_a_weak_secret_key(weak):
    result = manage("check", **{**PRODUCTION_ENV, "SECRET_KEY": weak})
    assert result.returncode != 0
    assert "SECRET_KEY is too weak for production" in result.stderr
    assert "50" in result.stderr


@pytest.mark.parametrize(
    "weak", ["chronicle-dev-audit-key-NOT-FOR-PRODUCTION", "short-audit-key"]
)
def test_production_refuses_the_dev_or_a_short_audit_key(weak):
    result = manage("check", **{**PRODUCTION_ENV, "AUDIT_HMAC_KEY": weak})
    assert result.returncode != 0
    assert "AUDIT_HMAC_KEY must be a random secret of at least 32" in result.stderr


def test_production_passes_the_deployment_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
