"""The application's own schedule (`manage.py run_scheduler`): the workflow clock,
orphaned files, old drafts and stalled background tasks, each at its interval.

Safe with several schedulers running (one per server, or two by mistake): before a
job runs, its scheduler

1. takes a PostgreSQL advisory lock for the job (pg_try_advisory_lock), so one run
   of it at a time across all schedulers; on SQLite, one process writes at a time
   and step 2 is the lock;
2. claims the run on the job's ScheduledRun row with a conditional update: only if
   the last start is older than the interval and the last run has finished (or
   started so long ago that its scheduler must have died). Two schedulers never
   both run a daily job, and a slow sweep is never overlapped by the next.

The jobs run in the scheduler's own process, not as queued tasks: the lock and the
claim must be held by whoever does the work, and a job's own side effects (the
clock's notification emails) are queued tasks anyway. A failing job is logged and
recorded on its row (*Background tasks* shows it) and runs again at its next time.
"""

import logging
import threading
import zlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, close_old_connections, connection
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import jobs
from .models import ScheduledRun

logger = logging.getLogger(__name__)

# A run not finished after this long had its scheduler die under it: run it again.
ABANDONED_AFTER = timedelta(hours=2)
# How often a scheduler looks for due jobs.
TICK_SECONDS = 30


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[], object]
    description: Promise
    when: Promise


JOBS = (
    Job(
        "clock",
        timedelta(minutes=5),
        jobs.clock,
        _("Workflow clock: reminders, escalation, chasing agencies, reviews"),
        _("every 5 minutes"),
    ),
    Job(
        "stalled_tasks",
        timedelta(minutes=1),
        jobs.stalled_tasks,
        _("Background tasks left running by a worker that stopped"),
        _("every minute"),
    ),
    Job(
        "held_files",
        timedelta(minutes=5),
        jobs.held_files,
        _("Files held while the virus check was not answering"),
        _("every 5 minutes"),
    ),
    Job(
        "audit_checkpoint",
        timedelta(minutes=15),
        jobs.audit_checkpoint,
        _("Signed checkpoint of the audit log, outside the database"),
        _("every 15 minutes"),
    ),
    Job(
        "orphan_files",
        timedelta(days=1),
        jobs.orphan_files,
        _("Stored files no record points at"),
        _("daily"),
    ),
    Job(
        "retention_reviews",
        timedelta(days=1),
        jobs.retention_reviews,
        _("Telling DSLs of files that reached their retention review"),
        _("daily"),
    ),
    Job(
        "finished_tasks",
        timedelta(days=1),
        jobs.finished_tasks,
        _("Background tasks that succeeded over a month ago"),
        _("daily"),
    ),
    Job(
        "draft_expiry",
        timedelta(days=1),
        jobs.draft_expiry,
        _("Concern drafts not touched for a month"),
        _("daily"),
    ),
)


def is_due(run: ScheduledRun | None, every: timedelta, now: datetime) -> bool:
    """A job is due when it never ran, or its last start is `every` ago or more,
    and its last run has finished (or was abandoned)."""
    if run is None or run.started_at is None:
        return True
    if run.started_at > now - every:
        return False
    return run.finished_at is not None or run.started_at <= now - ABANDONED_AFTER


def _claim(job: Job, now: datetime) -> bool:
    """Take this run of the job, if it is due and nobody took it first."""
    try:
        ScheduledRun.objects.get_or_create(job=job.name)
    except IntegrityError:
        pass  # another scheduler made the row a moment ago
    due = (
        Q(started_at__isnull=True)
        | Q(started_at__lte=now - job.every, finished_at__isnull=False)
        | Q(started_at__lte=now - max(job.every, ABANDONED_AFTER))
    )
    claimed = (
        ScheduledRun.objects.filter(due, job=job.name).update(
            started_at=now,
            finished_at=None,
            succeeded=None,
            error="",
            runs=F("runs") + 1,
        )
        == 1
    )
    return claimed


def lock_key(name: str) -> int:
    """A stable 32-bit key per job for PostgreSQL's advisory locks."""
    return zlib.crc32(f"chronicle.scheduler.{name}".encode())


@contextmanager
def job_lock(name: str):
    """Yields whether this process holds the job's lock (PostgreSQL: a session
    advisory lock, released when the job ends; elsewhere always True)."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = lock_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        locked = cursor.fetchone()[0]
    try:
        yield locked
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _run(job: Job, started: datetime) -> None:
    try:
        summary = job.run()
    except Exception as error:  # one job failing must not stop the rest
        logger.exception("Scheduled job %s failed", job.name)
        outcome = {"succeeded": False, "error": type(error).__name__[:200]}
    else:
        logger.info("Scheduled job %s: %s", job.name, summary)
        outcome = {"succeeded": True, "error": "", "succeeded_at": started}
    ScheduledRun.objects.filter(job=job.name, started_at=started).update(
        finished_at=timezone.now(), **outcome
    )


def run_due(*, now=None, jobs_to_run=None, stopping=None) -> list[str]:
    """Run each job (of JOBS) that is due and that no other scheduler holds; returns
    the names of those run here. Stops before the next job once `stopping` is set."""
    ran = []
    for job in JOBS if jobs_to_run is None else jobs_to_run:
        if stopping is not None and stopping.is_set():
            break
        started = now or timezone.now()
        with job_lock(job.name) as locked:
            if not locked or not _claim(job, started):
                continue
            _run(job, started)
            ran.append(job.name)
    return ran


def run_forever(*, stopping: threading.Event, tick: float = TICK_SECONDS) -> None:
    """Run due jobs every `tick` seconds until `stopping` is set (SIGTERM): the job
    under way is finished, then the loop ends."""
    while not stopping.is_set():
        close_old_connections()
        try:
            run_due(stopping=stopping)
        except Exception:  # the database away: try again next tick
            logger.exception("The scheduler could not run its jobs")
        close_old_connections()
        stopping.wait(tick)
