"""Two app servers count one API rate limit when they share Redis (REDIS_URL).

Each "server" is its own Python process, as two gunicorn workers or two machines
are; both reach the real Redis at 127.0.0.1:6379. Without a shared cache each
process would count on its own and allow the limit twice over.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/15"

# The throttle's clock is pinned, so both processes are in the same window whenever
# the test runs; the limit is 5 calls a day for one token.
CALLS = """
from types import SimpleNamespace
from django.test import override_settings
from api.auth import TokenRateThrottle
TokenRateThrottle.timer = staticmethod(lambda: 1_000_000.0)
request = SimpleNamespace(auth=SimpleNamespace(prefix="chr_shared"))
with override_settings(CHRONICLE_API_RATE="5/day"):
    throttle = TokenRateThrottle()
    print(sum(throttle.allow_request(request) for _ in range({calls})))
"""


def server(calls, *, key_prefix, redis_url=REDIS_URL):
    """Makes `calls` API calls with one token in a process of its own; how many
    were allowed."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="chronicle.settings.dev",
        DATABASE_URL="sqlite:///:memory:",
        CACHE_KEY_PREFIX=key_prefix,
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            CALLS.format(calls=calls),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split()[-1])


def test_the_rate_limit_is_shared_by_two_servers():
    key_prefix = f"test-{uuid.uuid4().hex}"
    try:
        assert server(3, key_prefix=key_prefix) == 3
        # The second server sees the first one's three calls: two more, not five.
        assert server(5, key_prefix=key_prefix) == 2
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{key_prefix}:*"):
            client.delete(key)


def test_without_redis_each_process_counts_alone():
    """What `make run` does (one process): the reason production requires Redis."""
    key_prefix = f"test-{uuid.uuid4().hex}"
    assert server(3, key_prefix=key_prefix, redis_url="") == 3
    assert server(5, key_prefix=key_prefix, redis_url="") == 5
