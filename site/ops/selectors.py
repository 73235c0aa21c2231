"""What the operations pages read. Only a system administrator runs the service;
nothing here reads case content: a task is its name, times, attempts and error."""

from dataclasses import dataclass
from datetime import datetime

from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.selectors import Viewer

from .models import ScheduledRun
from .retries import attempts_of

ERROR_MAX_CHARS = 200


def can_run_operations(user: Viewer) -> bool:
    """The system administrator (is_superuser) alone."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


@dataclass(frozen=True)
class TaskRow:
    id: str
    name: str
    status: str
    enqueued_at: datetime
    finished_at: datetime | None
    run_after: datetime | None
    attempts: int
    error_class: str
    error: str


def error_line(traceback: str) -> str:
    """The exception's message, from the traceback's last line ("[Errno 111]
    Connection refused" from "ConnectionRefusedError: [Errno 111] Connection
    refused"): tasks take record ids, not case content, so their errors carry none;
    the traceback itself (source lines, local paths) is not shown."""
    lines = [line for line in (traceback or "").splitlines() if line.strip()]
    if not lines:
        return ""
    _class, _colon, message = lines[-1].partition(": ")
    return message[:ERROR_MAX_CHARS]


def _row(result: DBTaskResult) -> TaskRow:
    return TaskRow(
        id=str(result.pk),
        name=result.task_path.rsplit(".", 1)[-1],
        status=result.status,
        enqueued_at=result.enqueued_at,
        finished_at=result.finished_at,
        run_after=None if result.run_after.year == 9999 else result.run_after,
        attempts=attempts_of(result),
        error_class=result.exception_class_path.rsplit(".", 1)[-1],
        error=error_line(result.traceback),
    )


_FIELDS = (
    "id",
    "status",
    "task_path",
    "enqueued_at",
    "finished_at",
    "run_after",
    "worker_ids",
    "exception_class_path",
    "traceback",
)


def failed_tasks(*, limit: int = 200) -> list[TaskRow]:
    """Tasks that failed every attempt, newest first."""
    results = DBTaskResult.objects.failed().only(*_FIELDS).order_by("-finished_at")
    return [_row(result) for result in results[:limit]]


def retrying_tasks(*, limit: int = 200) -> list[TaskRow]:
    """Tasks that failed at least once and wait for their next attempt."""
    results = (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        .exclude(exception_class_path="")
        .only(*_FIELDS)
        .order_by("run_after")
    )
    return [_row(result) for result in results[:limit]]


def waiting_task_count() -> int:
    return DBTaskResult.objects.ready().count()


def scheduled_runs() -> list[ScheduledRun]:
    return list(ScheduledRun.objects.all())
