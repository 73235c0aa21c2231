"""pytest: fast hashing, in-memory cache, immediate tasks, no real mail leaves."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Audit checkpoints written by tests never land beside the dev site's (var/), where
# verify_audit_chain would compare the dev database with a test database's chain.
AUDIT_CHECKPOINT_DIR = Path(tempfile.mkdtemp(prefix="chronicle-test-checkpoints-"))
CHRONICLE_ALLOW_DEMO_DATA = True
# Tasks run at once in the request; tests of the worker switch to the database
# backend (tests/ops/test_background.py).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASES = {
    "default": env.db("DATABASE_URL", default="sqlite:///:memory:"),
}

# The session's last activity is rewritten at most this often (accounts.middleware):
# every 30 seconds in use, every 10 minutes here, so a test that spends a minute
# building data before measuring a page's queries does not count a session write.
CHRONICLE_SESSION_ACTIVITY_RESOLUTION = 600

# Files are stored unscanned in most tests; tests/records/test_malware.py starts a
# clamd of its own (a local EICAR signature, nothing downloaded) and switches
# scanning on.
CHRONICLE_MALWARE_SCAN = "off"

# Tests deliver webhooks to a server they start on 127.0.0.1 (plain http).
CHRONICLE_WEBHOOK_HTTPS_ONLY = False
