"""A worker killed in the middle of a task (an email to a DSL) leaves the task
marked running. On PostgreSQL each `run_worker` holds a lock while it lives, so its
tasks are taken up as soon as it has gone, not 15 minutes later; a live worker's
task is left alone. On SQLite (one machine, one worker) a worker that starts takes
up what an earlier one left, and the scheduler keeps the 15-minute rule."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ops.retries import stalled_tasks_recover
from ops.worker_lock import WorkerLock

from .test_background import (  # noqa: F401 (fixtures)
    _signals_kept,
    connection_kept,
    database_queue,
    notify_dsl,
)

pytestmark = pytest.mark.django_db

POSTGRES = "postgresql"


def run_worker():
    """The real worker command of deploy/Procfile, until nothing is ready."""
    from django.core.management import call_command

    with _signals_kept():
        call_command(
            "run_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            "--interval=0",
            verbosity=0,
        )


def left_running(task, worker_id, *, minutes_ago=0):
    """As a worker leaves a task it was running when it was killed."""
    DBTaskResult.objects.filter(pk=task.pk).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
        worker_ids=[worker_id],
    )


def status_of(task):
    task.refresh_from_db()
    return task.status


def test_the_email_of_a_killed_worker_goes_out_at_once(
    dsl, django_capture_on_commit_callbacks
):
    notify_dsl(dsl, django_capture_on_commit_callbacks)
    (task,) = DBTaskResult.objects.all()
    left_running(task, "lock:app1-4242-killedworker")

    found = stalled_tasks_recover()  # the scheduler's job, a minute later at most

    if connection.vendor == POSTGRES:
        # The killed worker's lock went with its connection: taken up at once.
        assert found == 1
        assert status_of(task) == TaskResultStatus.READY
    else:
        # No locks on SQLite: the scheduler waits for the 15-minute rule...
        assert found == 0
        assert status_of(task) == TaskResultStatus.RUNNING
    assert mail.outbox == []

    run_worker()  # ...and a worker starting up takes it up at once everywhere

    assert status_of(task) == TaskResultStatus.SUCCESSFUL
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [dsl.email]
    assert len(task.worker_ids) == 2
    assert task.worker_ids[-1].startswith("lock:")


def test_the_task_of_a_live_worker_is_left_alone(
    dsl, django_capture_on_commit_callbacks
):
    notify_dsl(dsl, django_capture_on_commit_callbacks)
    notify_dsl(dsl, django_capture_on_commit_callbacks)
    mine, unlocked = DBTaskResult.objects.order_by("enqueued_at", "id")
    alive = "lock:app2-4343-liveworker"
    left_running(mine, alive)
    # A worker that holds no lock (django-tasks-db's own db_worker), 10 minutes in.
    left_running(unlocked, "plainworker", minutes_ago=10)

    if connection.vendor == POSTGRES:
        lock = WorkerLock(alive)  # the live worker, on a connection of its own
        assert lock.try_acquire()
        try:
            assert stalled_tasks_recover() == 0
            run_worker()  # a second worker starting up leaves both alone too
            assert status_of(mine) == TaskResultStatus.RUNNING
            assert status_of(unlocked) == TaskResultStatus.RUNNING
            assert mail.outbox == []
        finally:
            lock.close()  # the worker goes: its task is taken up at the next look
        assert stalled_tasks_recover() == 1
        assert status_of(mine) == TaskResultStatus.READY
    else:
        assert stalled_tasks_recover() == 0
        assert status_of(mine) == TaskResultStatus.RUNNING
    assert status_of(unlocked) == TaskResultStatus.RUNNING

    # Past the 15 minutes, a task of a worker without a lock is taken up too.
    later = timezone.now() + timedelta(minutes=6)
    assert stalled_tasks_recover(now=later) == 1
    assert status_of(unlocked) == TaskResultStatus.READY
