"""Liveness and readiness for load balancers, orchestrators and monitoring.

/health/live: the process answers (nothing else is touched), so a supervisor
restarts only a process that has hung.
/health/ready: this server can serve: the database answers and the shared cache
stores and returns a value. 503 if not, so the load balancer sends requests to the
other servers. The body also gives the background queue's backlog: tasks waiting
longer than CHRONICLE_HEALTH_QUEUE_LATE_MINUTES (a stopped worker means alerts to
the DSLs are not going out). A late queue makes the status "degraded" but keeps 200:
the web servers can still take concerns, and taking every one of them out of the
balancer because the worker stopped would turn a late email into an outage.
Monitoring alerts on a status other than "ok".

No sign-in (TwoFactorRequiredMiddleware lets them through; SECURE_REDIRECT_EXEMPT
answers plain HTTP from the balancer), no case data: only "ok"/"failed" and a
count. What failed is logged on the server, not shown.
"""

import logging
import uuid
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

QUEUE_APP = "django_tasks_db"


@never_cache
@require_GET
def live(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request):
    checks = {"database": _database(), "cache": _cache()}
    serving = all(check["ok"] for check in checks.values())
    queue = _queue() if checks["database"]["ok"] else None
    if queue is not None:
        checks["queue"] = queue
    if not serving:
        status = "unavailable"
    elif queue is not None and not queue["ok"]:
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "checks": checks}, status=200 if serving else 503
    )


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health: the database did not answer")
        return {"ok": False}
    return {"ok": True}


def _cache():
    key = f"health:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        stored = cache.get(key) == "1"
        cache.delete(key)
    except Exception:
        logger.exception("health: the cache did not answer")
        return {"ok": False}
    if not stored:
        logger.error("health: the cache did not return what was stored")
    return {"ok": stored}


def _queue():
    """Tasks due for longer than the limit and not yet picked up, when tasks are
    kept in the database (django-tasks-db); None with the immediate backend."""
    if not apps.is_installed(QUEUE_APP):
        return None
    from django.db.models import Q
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    minutes = settings.CHRONICLE_HEALTH_QUEUE_LATE_MINUTES
    cutoff = timezone.now() - timedelta(minutes=minutes)
    try:
        late = (
            DBTaskResult.objects.filter(
                status=TaskResultStatus.READY, enqueued_at__lt=cutoff
            )
            .filter(Q(run_after__lt=cutoff) | Q(run_after=get_date_max()))
            .count()
        )
    except Exception:
        logger.exception("health: the task queue could not be read")
        return {"ok": False, "late": None, "minutes": minutes}
    return {"ok": late == 0, "late": late, "minutes": minutes}
