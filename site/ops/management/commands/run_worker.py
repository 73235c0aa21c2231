"""`manage.py run_worker`: django-tasks-db's worker (`db_worker`), which also lets
the others know at once when it has gone (ops.worker_lock).

On PostgreSQL it holds an advisory lock keyed on its worker id for as long as it
runs; when it starts, it takes up the tasks of workers whose lock is free (killed
while running one), so a restarted worker catches up at once rather than after
CHRONICLE_TASK_STALLED_MINUTES. On SQLite (`make run`: one worker) it takes up
whatever an earlier worker left running. The options are db_worker's.
"""

import logging
import os
from argparse import ArgumentTypeError

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from ops import worker_lock
from ops.retries import stalled_tasks_recover

logger = logging.getLogger(__name__)


class LockedWorker(db_worker.Worker):
    """db_worker's loop, between taking the lock and letting it go."""

    def run(self) -> None:
        lock = None
        if worker_lock.locks_supported():
            lock = worker_lock.WorkerLock(self.worker_id)
            if not lock.try_acquire():
                raise CommandError(
                    f"Worker id {self.worker_id} is in use by a running worker."
                )
        self.lock = lock
        try:
            recovered = stalled_tasks_recover(starting_worker=self.worker_id)
            if recovered:
                logger.warning(
                    "Worker %s took up %d tasks left running by a stopped worker",
                    self.worker_id,
                    recovered,
                )
            super().run()
        finally:
            if lock is not None:
                lock.close()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Runs the task it claimed, unless it lost its lock (the database
        restarted) and the task was meanwhile taken up for another worker."""
        if self.lock is not None and not self.lock.ensure_held():
            still_ours = DBTaskResult.objects.filter(
                pk=db_task_result.pk,
                status=TaskResultStatus.RUNNING,
                started_at=db_task_result.started_at,
            ).exists()
            if not still_ours:
                logger.warning(
                    "Task %s was taken up while worker %s had lost its lock; "
                    "left to the worker now running it",
                    db_task_result.pk,
                    self.worker_id,
                )
                return
        super().run_task(db_task_result)


def locked_worker_id(value: str) -> str:
    value = db_worker.validate_worker_id(value)
    if not worker_lock.holds_lock(value):
        value = worker_lock.LOCKED_PREFIX + value
    if len(value) > worker_lock.MAX_ID_LENGTH:
        raise ArgumentTypeError(
            f"Worker ids must be at most {worker_lock.MAX_ID_LENGTH} characters "
            f"with the prefix {worker_lock.LOCKED_PREFIX!r}"
        )
    return value


class Command(db_worker.Command):
    help = (
        "Run a database background worker that holds a PostgreSQL lock while it "
        "runs, and takes up the tasks of workers that stopped (killed) at once."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        for action in parser._actions:
            if action.dest == "worker_id":
                action.default = None
                action.type = locked_worker_id

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str | None,
        exclude_queues: str,
        **options,
    ) -> None:
        """db_worker's handle, with LockedWorker and an id of its own per process."""
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = LockedWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id or worker_lock.new_worker_id(),
            excluded_queue_names=excluded,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
