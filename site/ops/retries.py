"""Retrying background tasks that failed, with backoff, a bounded number of times.

django-tasks has no retries of its own. The database backend keeps one row per task
(django_tasks_db.DBTaskResult) and appends the worker's id to it at each attempt, so
the row is the task's history: when an attempt fails and attempts are left, the row
is made ready again, to run after a delay that triples each time (1, 3, 9, 27, 81
minutes by default). After the last attempt it stays failed, and a system
administrator sees it on *Background tasks* and may retry it once more.

Every task must therefore be safe to run again: a notification email claims its
notification before sending (workflows.tasks), the clock claims each step.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_finished
from django_tasks_db.models import DBTaskResult

from . import worker_lock

logger = logging.getLogger(__name__)

# What a task left running by a worker that died (killed, machine lost) says.
WORKER_STOPPED = "ops.retries.WorkerStopped"


def attempts_of(result: DBTaskResult) -> int:
    """Each attempt's worker id is appended to the row when it starts."""
    return len(result.worker_ids or [])


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next attempt, after `attempts` have failed."""
    first = settings.CHRONICLE_TASK_RETRY_SECONDS
    return timedelta(seconds=first * 3 ** (attempts - 1))


@receiver(task_finished)
def retry_failed_task(sender, task_result, **kwargs):
    """A failed attempt with attempts left is made ready again, after a delay."""
    result = getattr(task_result, "db_result", None)
    if result is None or task_result.status != TaskResultStatus.FAILED:
        return  # the immediate backend (tests), or it succeeded
    attempts = attempts_of(result)
    if attempts >= settings.CHRONICLE_TASK_ATTEMPTS:
        logger.error(
            "Background task %s (%s) failed %d times: it waits for a system "
            "administrator on Background tasks",
            result.pk,
            result.task_path,
            attempts,
        )
        return
    DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY,
        run_after=timezone.now() + retry_delay(attempts),
    )
    logger.warning(
        "Background task %s (%s) failed (attempt %d of %d); it will be retried",
        result.pk,
        result.task_path,
        attempts,
        settings.CHRONICLE_TASK_ATTEMPTS,
    )


def _take_up(result: DBTaskResult, now) -> None:
    """Ready again while attempts are left, else failed (shown on *Background
    tasks*); only if the row is still the run that was found."""
    running = DBTaskResult.objects.filter(
        pk=result.pk,
        status=TaskResultStatus.RUNNING,
        started_at=result.started_at,
    )
    if attempts_of(result) < settings.CHRONICLE_TASK_ATTEMPTS:
        running.update(status=TaskResultStatus.READY, run_after=now)
    else:
        running.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=WORKER_STOPPED,
            traceback="WorkerStopped: the worker stopped while running the task",
        )


def _last_worker(result: DBTaskResult) -> str:
    return (result.worker_ids or [""])[-1]


def stalled_tasks_recover(*, now=None, starting_worker: str | None = None) -> int:
    """Tasks left running by a worker that stopped without finishing them (killed,
    its machine lost) are made ready again while attempts are left, else marked
    failed so that they show on *Background tasks*. Returns how many were found.

    On PostgreSQL, a task of a `run_worker` worker is taken up as soon as its
    worker's lock is free (ops.worker_lock): the worker has gone. Any other task
    runs for seconds, so one still running after CHRONICLE_TASK_STALLED_MINUTES has
    no worker any more. `starting_worker` is a worker starting up: on SQLite (one
    machine, one worker) every task still running from before it is taken up."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.CHRONICLE_TASK_STALLED_MINUTES)
    locks = worker_lock.locks_supported()
    found = 0
    running = DBTaskResult.objects.running().only("pk", "worker_ids", "started_at")
    for result in running:
        worker = _last_worker(result)
        if worker == starting_worker:
            continue
        if locks and worker_lock.holds_lock(worker):
            with transaction.atomic():
                if worker_lock.lock_if_free(worker):
                    _take_up(result, now)
                    found += 1
            continue
        if (starting_worker and not locks) or result.started_at < cutoff:
            _take_up(result, now)
            found += 1
    if found:
        logger.warning("Recovered %d background tasks left running", found)
    return found
