"""/health/live and /health/ready: what a load balancer and monitoring see."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: a cache there fails as a Redis that went away does.
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_live_answers_without_sign_in(client):
    response = client.get(reverse("health_live"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_ready_reports_database_and_cache_and_nothing_else(client):
    response = client.get(reverse("health_ready"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["cache"] == {"ok": True}
    assert set(body) == {"status", "checks"}


def test_ready_is_503_when_the_cache_is_gone(client, settings):
    settings.CACHES = UNREACHABLE_REDIS
    response = client.get(reverse("health_ready"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"] == {"ok": False}
    assert body["checks"]["database"] == {"ok": True}


def test_a_signed_in_user_without_two_factor_still_gets_the_answer(client, staff):
    """A monitoring check from a browser where someone half signed in is not sent
    to the two-factor page."""
    client.force_login(staff)
    for name in ("health_live", "health_ready"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert response["Content-Type"] == "application/json"


def test_health_accepts_only_get(client):
    assert client.post(reverse("health_live")).status_code == 405
    assert client.post(reverse("health_ready")).status_code == 405
