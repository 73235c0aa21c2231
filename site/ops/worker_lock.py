"""Knowing at once that a task worker has gone (`manage.py run_worker`).

A worker that is killed (SIGKILL, out of memory, its machine lost) leaves the task
it was running marked RUNNING in the database, and nothing in the row tells a
stopped worker from a slow one. So each worker holds a PostgreSQL session-level
advisory lock keyed on its worker id, on a connection of its own, for as long as it
runs. PostgreSQL frees the lock the moment the worker's connection goes, so a
RUNNING task whose worker's lock can be taken has no worker any more and is taken
up again at once (ops.retries), by the scheduler's stalled_tasks job and by every
worker that starts.

Only ids that start with LOCKED_PREFIX come from such a worker; a task run by any
other worker (django-tasks-db's own db_worker) falls back to the age rule,
CHRONICLE_TASK_STALLED_MINUTES. SQLite (`make run`, one machine, one worker) has no
advisory locks: there, the age rule, and a worker starting takes up what an earlier
worker left running.
"""

import logging
import os
import socket
import zlib

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError, InterfaceError
from django.utils.crypto import get_random_string

logger = logging.getLogger(__name__)

# Worker ids of workers that hold their lock begin with this.
LOCKED_PREFIX = "lock:"
# The first key of the two-key advisory lock form: a name space of Chronicle's own,
# apart from the scheduler's one-key job locks (ops.scheduler.lock_key).
NAMESPACE = zlib.crc32(b"chronicle.worker") - 2**31
MAX_ID_LENGTH = 64  # django-tasks-db's limit


def new_worker_id() -> str:
    """Unique per process, and readable in *Background tasks*: host, pid, random."""
    host = socket.gethostname().split(".")[0][:24]
    return f"{LOCKED_PREFIX}{host}-{os.getpid()}-{get_random_string(12)}"


def holds_lock(worker_id: str) -> bool:
    return worker_id.startswith(LOCKED_PREFIX)


def lock_key(worker_id: str) -> int:
    """A stable signed 32-bit key per worker id (the second key of the lock)."""
    return zlib.crc32(worker_id.encode()) - 2**31


def locks_supported(alias: str = DEFAULT_DB_ALIAS) -> bool:
    return connections[alias].vendor == "postgresql"


class WorkerLock:
    """The lock a worker holds while it runs, on a connection apart from Django's
    (which the worker closes and reopens between tasks, and a session lock would go
    with it)."""

    def __init__(self, worker_id: str, alias: str = DEFAULT_DB_ALIAS):
        self.worker_id = worker_id
        self.alias = alias
        self.connection = None

    def _connect(self):
        self.close()
        self.connection = connections.create_connection(self.alias)
        self.connection.ensure_connection()
        self.connection.set_autocommit(True)

    def _select(self, sql: str) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [NAMESPACE, lock_key(self.worker_id)])
            return bool(cursor.fetchone()[0])

    def try_acquire(self) -> bool:
        """Takes the lock if no one holds it; False if someone does."""
        self._connect()
        if self._select("SELECT pg_try_advisory_lock(%s, %s)"):
            return True
        self.close()
        return False

    def ensure_held(self) -> bool:
        """True if the lock has been held all along. If its connection was lost
        (the database restarted), the lock went with it: it is taken again, waiting
        for a recovery that holds it for a moment (ops.retries), and False says that
        the worker's running task may have been taken up by others meanwhile."""
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except (DatabaseError, InterfaceError):
            logger.warning(
                "Worker %s lost its database lock; taking it again", self.worker_id
            )
        self._connect()
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_lock(%s, %s)", [NAMESPACE, lock_key(self.worker_id)]
            )
        return False

    def close(self) -> None:
        """Gives the lock up at once, then closes its connection. Closing alone
        frees the lock too, but only once the server has noticed the connection
        went, a moment later: a worker that stops cleanly says so straight away."""
        if self.connection is not None:
            try:
                with self.connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_unlock(%s, %s)",
                        [NAMESPACE, lock_key(self.worker_id)],
                    )
            except (DatabaseError, InterfaceError):
                pass  # the connection is gone already, and the lock with it
            try:
                self.connection.close()
            except (DatabaseError, InterfaceError):
                pass
            self.connection = None


def lock_if_free(worker_id: str, alias: str = DEFAULT_DB_ALIAS) -> bool:
    """True, holding the worker's lock, when no worker holds it (the worker has
    gone); False when its worker is alive. Call it in a transaction: the lock is
    held until that transaction ends, so what the caller does to the worker's tasks
    is committed before the worker could take its lock back (WorkerLock.ensure_held)."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)",
            [NAMESPACE, lock_key(worker_id)],
        )
        return bool(cursor.fetchone()[0])
