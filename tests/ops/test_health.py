"""/health/live and /health/ready: what a load balancer and monitoring see."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

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
    assert set(body["checks"]) == {"database", "cache", "queue"}


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


def queued(*, minutes_ago, status=TaskResultStatus.READY, run_after=None):
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="workflows.tasks.send_notification_email",
        backend_name="default",
        run_after=run_after or get_date_max(),
        status=status,
    )
    enqueued = timezone.now() - timedelta(minutes=minutes_ago)
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=enqueued)
    return task


def test_ready_reports_tasks_the_worker_has_not_picked_up(client, settings):
    """A stopped worker: alerts are not going out. The web servers still serve
    (200, the balancer keeps them) but the status says so, for monitoring."""
    settings.CHRONICLE_HEALTH_QUEUE_LATE_MINUTES = 10
    queued(minutes_ago=30)  # late
    queued(minutes_ago=2)  # just queued
    queued(minutes_ago=30, status=TaskResultStatus.RUNNING)
    queued(minutes_ago=30, status=TaskResultStatus.SUCCESSFUL)
    # A retry waiting for its time (ops.retries) is not late until then.
    queued(minutes_ago=30, run_after=timezone.now() + timedelta(minutes=5))

    response = client.get(reverse("health_ready"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["queue"] == {"ok": False, "late": 1, "minutes": 10}


def test_an_empty_queue_is_ok(client):
    queued(minutes_ago=2)
    body = client.get(reverse("health_ready")).json()
    assert body["status"] == "ok"
    assert body["checks"]["queue"]["ok"] is True
    assert body["checks"]["queue"]["late"] == 0
