"""Background work on the database queue: notification emails leave only once their
transaction commits, are sent once by the real worker (`manage.py db_worker`), are
retried with backoff when the mail server refuses, and then wait for the system
administrator on *Background tasks*, who alone sees them and may retry them.

The failing mail server is real: Django's SMTP backend pointed at a local port
nobody listens on."""

import signal
import socket
from contextlib import contextmanager

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from audit.models import ChainedLogEntry
from workflows.models import Notification
from workflows.services import notify

from ..accounts.test_role_pages import signed_in
from ..factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/admin/ops/tasks/"
RETRY = "/admin/ops/tasks/retry/"
MESSAGE = "URGENT: C000042 at Brook Lane Primary — canary-case-text"


@pytest.fixture(autouse=True)
def database_queue(settings):
    """The production backend: tasks are rows, run by the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.CHRONICLE_TASK_ATTEMPTS = 3
    settings.CHRONICLE_TASK_RETRY_SECONDS = 0  # no waiting between attempts here


@pytest.fixture
def closed_port():
    """A local TCP port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def failing_smtp(settings, closed_port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def sysadmin(db):
    return UserFactory(is_superuser=True, is_staff=True)


@contextmanager
def _signals_kept():
    """The worker installs its own SIGTERM/SIGINT handlers; put pytest's back."""
    kept = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in kept.items():
            signal.signal(sig, handler)


@pytest.fixture(autouse=True)
def connection_kept(monkeypatch):
    """The worker drops its database connection between tasks when the connection
    is not in autocommit mode (close_old_connections), as it would be in a real
    process; here the test's data lives in the test's own transaction, which that
    would end. Everything else the worker does is as in production."""
    import django_tasks_db.management.commands.db_worker as db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def run_worker():
    """The real worker command, until nothing is ready to run."""
    with _signals_kept():
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            "--interval=0",
            verbosity=0,
        )


def notify_dsl(dsl, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            (notification,) = notify(
                users=[dsl], kind=Notification.Kind.URGENT, message=MESSAGE, url="/"
            )
    return notification


def test_a_notification_rolled_back_is_never_sent(
    dsl, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(users=[dsl], kind=Notification.Kind.URGENT, message=MESSAGE)
            raise RuntimeError("the step failed after notifying")

    run_worker()
    assert not DBTaskResult.objects.exists()
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_committed_notification_is_sent_once_by_the_worker(
    dsl, django_capture_on_commit_callbacks
):
    notification = notify_dsl(dsl, django_capture_on_commit_callbacks)

    # Queued, not sent in the request.
    assert mail.outbox == []
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY

    run_worker()
    run_worker()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [dsl.email]
    assert "C000042" not in mail.outbox[0].body + mail.outbox[0].subject
    assert "canary-case-text" not in mail.outbox[0].body
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


def test_an_email_queued_twice_is_sent_once(dsl, django_capture_on_commit_callbacks):
    """A retry racing the attempt it replaces: the emailed_at claim holds."""
    from workflows.tasks import send_notification_email

    notification = notify_dsl(dsl, django_capture_on_commit_callbacks)
    send_notification_email.enqueue(notification.pk)

    run_worker()

    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.successful().count() == 2


def test_a_refused_send_is_retried_then_shown_to_the_sysadmin_who_retries_it(
    dsl, sysadmin, failing_smtp, settings, django_capture_on_commit_callbacks
):
    notification = notify_dsl(dsl, django_capture_on_commit_callbacks)

    run_worker()

    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.FAILED
    assert len(task.worker_ids) == 3  # every attempt, then it stops
    assert task.exception_class_path == "builtins.ConnectionRefusedError"
    notification.refresh_from_db()
    assert notification.emailed_at is None  # the claim was given back

    page = signed_in(sysadmin).get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "send_notification_email" in text
    assert "ConnectionRefusedError" in text
    assert str(task.pk) in text
    # No case content, and not whom it was for.
    assert "C000042" not in text and "canary-case-text" not in text
    assert dsl.email not in text

    # The mail server is back; the system administrator retries the task.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = signed_in(sysadmin).post(RETRY, {"task": str(task.pk)})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    assert ChainedLogEntry.objects.filter(
        object_pk=str(task.pk), additional_data__event="background task retried"
    ).exists()

    run_worker()

    assert len(mail.outbox) == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    page = signed_in(sysadmin).get(PAGE).content.decode()
    assert "ConnectionRefusedError" not in page


def test_a_failed_send_waits_with_backoff_before_the_next_attempt(
    dsl, failing_smtp, settings, django_capture_on_commit_callbacks
):
    settings.CHRONICLE_TASK_RETRY_SECONDS = 60
    notify_dsl(dsl, django_capture_on_commit_callbacks)

    run_worker()  # one attempt; the next is not ready yet

    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.READY
    assert len(task.worker_ids) == 1
    assert (task.run_after - task.started_at).total_seconds() >= 60


@pytest.mark.parametrize("role", ["dsl", "staff"])
def test_only_the_sysadmin_sees_or_retries_background_tasks(
    role, dsl, staff, failing_smtp, django_capture_on_commit_callbacks
):
    notify_dsl(dsl, django_capture_on_commit_callbacks)
    run_worker()
    task = DBTaskResult.objects.get()
    client = signed_in({"dsl": dsl, "staff": staff}[role])

    assert client.get(PAGE).status_code == 404
    assert client.post(RETRY, {"task": str(task.pk)}).status_code == 404
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert "Background tasks" not in client.get("/admin/").content.decode()


def test_the_sysadmin_has_the_menu_item(sysadmin):
    assert "Background tasks" in signed_in(sysadmin).get("/admin/").content.decode()


def test_retrying_a_task_that_has_not_failed_is_refused(
    dsl, sysadmin, django_capture_on_commit_callbacks
):
    notify_dsl(dsl, django_capture_on_commit_callbacks)
    task = DBTaskResult.objects.get()

    response = signed_in(sysadmin).post(RETRY, {"task": str(task.pk)}, follow=True)

    assert "has not failed" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    assert len(task.worker_ids) == 0


def test_a_task_left_running_by_a_killed_worker_is_taken_up_again(
    dsl, sysadmin, django_capture_on_commit_callbacks
):
    """A worker killed mid-task leaves its row 'running' for ever; the scheduler's
    stalled_tasks job makes it ready again while attempts are left, and then the
    email goes; once the attempts are used up, it shows as failed instead."""
    from datetime import timedelta

    from django.utils import timezone

    from ops.retries import stalled_tasks_recover

    notify_dsl(dsl, django_capture_on_commit_callbacks)
    notify_dsl(dsl, django_capture_on_commit_callbacks)
    first, second = DBTaskResult.objects.order_by("enqueued_at", "id")
    long_ago = timezone.now() - timedelta(minutes=20)
    DBTaskResult.objects.filter(pk=first.pk).update(
        status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=["killed"]
    )
    DBTaskResult.objects.filter(pk=second.pk).update(
        status=TaskResultStatus.RUNNING,
        started_at=long_ago,
        worker_ids=["killed"] * 3,  # CHRONICLE_TASK_ATTEMPTS here
    )

    assert stalled_tasks_recover() == 2
    run_worker()

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == TaskResultStatus.SUCCESSFUL
    assert len(mail.outbox) == 1
    assert second.status == TaskResultStatus.FAILED
    page = signed_in(sysadmin).get(PAGE).content.decode()
    assert "WorkerStopped" in page and str(second.pk) in page


def test_tasks_that_succeeded_a_month_ago_are_deleted_failed_ones_kept(
    dsl, failing_smtp, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from ops.jobs import finished_tasks

    notify_dsl(dsl, django_capture_on_commit_callbacks)
    run_worker()  # fails every attempt
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notify_dsl(dsl, django_capture_on_commit_callbacks)
    notify_dsl(dsl, django_capture_on_commit_callbacks)
    run_worker()
    failed = DBTaskResult.objects.failed().get()
    old, recent = DBTaskResult.objects.successful().order_by("enqueued_at", "id")
    month_ago = timezone.now() - timedelta(days=31)
    DBTaskResult.objects.filter(pk__in=[failed.pk, old.pk]).update(
        finished_at=month_ago
    )

    assert finished_tasks() == {"removed": 1}

    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        failed.pk,
        recent.pk,
    }
