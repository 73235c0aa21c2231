"""Production settings refuse to start without secrets and pass check --deploy."""

import json
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
    "REDIS_URL": "redis://127.0.0.1:6379/15",
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
        ("REDIS_URL", "REDIS_URL must be set"),
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


def shell(code, *, settings="chronicle.settings.production", **env_changes):
    """Runs code in `manage.py shell` under the given settings; its stdout."""
    changes = {"DJANGO_SETTINGS_MODULE": settings, **env_changes}
    result = manage("shell", "--no-imports", "-c", code, **changes)
    assert result.returncode == 0, result.stderr
    return result.stdout


PRIVATE_STORAGE = (
    "from django.core.files.storage import storages; s = storages['private']; "
    "print(type(s).__name__); "
    "print(getattr(s, 'bucket_name', None), getattr(s, 'endpoint_url', None), "
    "getattr(s, 'default_acl', None), getattr(s, 'file_overwrite', None), "
    "getattr(s, 'location', None))"
)


def test_private_files_go_to_the_shared_path_by_default(tmp_path):
    out = shell(
        PRIVATE_STORAGE, **PRODUCTION_ENV, PRIVATE_MEDIA_ROOT=str(tmp_path / "shared")
    ).splitlines()
    assert out[0] == "FileSystemStorage"
    assert out[1].split()[-1] == str(tmp_path / "shared")


def test_private_files_go_to_a_private_bucket_when_one_is_named():
    """S3-compatible storage (e.g. MinIO, or a cloud provider's): a private bucket,
    no overwriting of a file by another of the same name. No S3 server runs here:
    this checks the storage chosen, not a round trip."""
    out = shell(
        PRIVATE_STORAGE,
        **PRODUCTION_ENV,
        PRIVATE_STORAGE_BUCKET="chronicle-private",
        PRIVATE_STORAGE_ENDPOINT_URL="https://s3.example.org",
        PRIVATE_STORAGE_ACCESS_KEY_ID="key-id",
        PRIVATE_STORAGE_SECRET_ACCESS_KEY="secret",
    ).splitlines()
    assert out[0] == "S3Storage"
    assert out[1].split() == [
        "chronicle-private",
        "https://s3.example.org",
        "private",
        "False",
        "private",
    ]


def test_production_caches_in_redis_and_keeps_sessions_in_the_database():
    out = shell(
        "from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND']); "
        "print(settings.CACHES['default']['LOCATION']); "
        "print(settings.SESSION_ENGINE); print(settings.AXES_HANDLER)",
        **PRODUCTION_ENV,
    ).splitlines()
    assert out == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/15",
        "django.contrib.sessions.backends.db",
        "axes.handlers.database.AxesDatabaseHandler",
    ]


def test_make_run_needs_no_redis():
    out = shell(
        "from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'])",
        settings="chronicle.settings.dev",
    )
    assert out.strip() == "django.core.cache.backends.locmem.LocMemCache"


HEALTH_OVER_PLAIN_HTTP = (
    "from django.test import Client; c = Client(HTTP_HOST='chronicle.example.org'); "
    "print('STATUS', c.get('/health/live').status_code, "
    "c.get('/admin/').status_code)"
)


def test_the_load_balancers_plain_http_check_is_answered_and_logged_as_json():
    """Production sends every other plain-HTTP request to HTTPS, but the balancer's
    health check gets its answer; the request's log line is JSON with its id."""
    out = shell(HEALTH_OVER_PLAIN_HTTP, **PRODUCTION_ENV).splitlines()
    assert "STATUS 200 301" in out
    lines = [json.loads(line) for line in out if line.startswith("{")]
    health = next(line for line in lines if line.get("route") == "health/live")
    assert health["message"] == "request"
    assert health["level"] == "INFO"
    assert health["status"] == 200
    assert len(health["request_id"]) == 32
    assert health["user_id"] is None
    assert "time" in health


def test_error_reporting_is_off_without_a_dsn_and_scrubbed_with_one():
    code = (
        "import sentry_sdk; c = sentry_sdk.get_client(); o = c.options; "
        "print(c.is_active(), o['send_default_pii'], o['include_local_variables'], "
        "o['max_request_body_size'], getattr(o['before_send'], '__name__', None))"
    )
    assert shell(code, **PRODUCTION_ENV).split()[0] == "False"
    dsn = "http://publickey@127.0.0.1:9/1"  # never reached: nothing is reported
    out = shell(code, **PRODUCTION_ENV, SENTRY_DSN=dsn).split()
    assert out == ["True", "False", "False", "never", "scrub_event"]
