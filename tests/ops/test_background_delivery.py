"""Delivery of notification emails by the database queue: queued in the same
transaction as the notification, and sent at least once even when the worker dies
in the middle of a send, never twice while a send is live.

The worker is the real `manage.py db_worker` (tests/ops/test_background.py); the
mail server that hangs is a real local socket that accepts and never answers."""

import os
import signal
import socket
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ops.retries import stalled_tasks_recover
from workflows.models import Notification
from workflows.services import notify
from workflows.tasks import claim_email, email_lease

from .test_background import (  # noqa: F401 (fixtures)
    MESSAGE,
    connection_kept,
    database_queue,
    notify_dsl,
    run_worker,
)

pytestmark = pytest.mark.django_db


def _left_running_by_a_killed_worker():
    """What SIGKILL leaves: the task 'running' since long ago, and no worker."""
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=20),
        worker_ids=["killed"],
    )


# Queued with the notification ---------------------------------------------------


def test_the_emails_are_queued_in_the_transaction_that_makes_the_notifications(
    dsl, make_member, django_capture_on_commit_callbacks
):
    """Nothing is left to do after the commit: a process that dies the moment its
    transaction commits (its on-commit callbacks never run) still leaves one task
    per DSL, and each DSL gets the email."""
    from accounts.models import Role

    other_dsl = make_member(Role.DSL)
    with django_capture_on_commit_callbacks(execute=False):
        with transaction.atomic():
            notifications = notify(
                users=[dsl, other_dsl], kind=Notification.Kind.URGENT, message=MESSAGE
            )
            # Queued with the notifications, invisible to workers until the commit.
            assert DBTaskResult.objects.count() == 2

    tasks = DBTaskResult.objects.all()
    assert sorted(t.args_kwargs["args"] for t in tasks) == sorted(
        [n.pk] for n in notifications
    )
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([dsl.email, other_dsl.email])


def test_a_rolled_back_transaction_leaves_no_task_and_sends_nothing(
    dsl, make_member, django_capture_on_commit_callbacks
):
    from accounts.models import Role

    other_dsl = make_member(Role.DSL)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(
                users=[dsl, other_dsl], kind=Notification.Kind.URGENT, message=MESSAGE
            )
            assert DBTaskResult.objects.count() == 2
            raise RuntimeError("the step failed after notifying")

    run_worker()
    assert not DBTaskResult.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []


# A worker that dies mid-send ----------------------------------------------------


@pytest.fixture
def hanging_smtp(settings):
    """A mail server that accepts the connection and never says a word. The
    `accepted` event is set once the worker is connected and waiting on it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    accepted = threading.Event()
    connections = []

    def accept():
        connection, _ = server.accept()
        connections.append(connection)
        accepted.set()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.getsockname()[1]
    settings.EMAIL_TIMEOUT = 60  # should the signals not arrive, the test fails
    yield accepted
    for connection in connections:
        connection.close()
    server.close()


def _python_code_runs():
    pass


def test_a_worker_stopped_twice_mid_send_leaves_the_email_to_its_retry(
    dsl, hanging_smtp, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """docker stop, then its second signal, while the mail server hangs: the second
    SIGTERM raises SystemExit inside the send. The email has not gone, so the
    retry must send it rather than find it 'already sent'."""
    import django_tasks_db.management.commands.db_worker as db_worker

    shutdown = db_worker.Worker.shutdown
    received = []

    def shutdown_then_signalled_again(self, signum, frame):
        received.append(signum)
        shutdown(self, signum, frame)  # the first: finish the task, then stop
        if len(received) == 1:
            # The second SIGTERM, while the first is handled: Python acts on it
            # as soon as it runs Python code again, so the send cannot miss it.
            os.kill(os.getpid(), signal.SIGTERM)
            _python_code_runs()

    monkeypatch.setattr(db_worker.Worker, "shutdown", shutdown_then_signalled_again)

    def stop():
        if hanging_smtp.wait(60):
            os.kill(os.getpid(), signal.SIGTERM)

    notification = notify_dsl(dsl, django_capture_on_commit_callbacks)
    stopper = threading.Thread(target=stop, daemon=True)
    stopper.start()
    run_worker()  # ends when stopped
    stopper.join(5)

    assert received == [signal.SIGTERM, signal.SIGTERM]
    task = DBTaskResult.objects.get()
    assert task.exception_class_path == "builtins.SystemExit"
    notification.refresh_from_db()
    assert notification.emailed_at is None

    # The worker is started again; the mail server now answers.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_worker()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [dsl.email]
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_a_worker_killed_mid_send_leaves_a_lease_its_task_takes_back_when_recovered(
    dsl, django_capture_on_commit_callbacks
):
    """SIGKILL (or a machine lost) after the claim, before the email went: nothing
    gives the lease back. The task the scheduler takes up again is the one that
    held it, so it takes it back at once and sends the email, once."""
    notification = notify_dsl(dsl, django_capture_on_commit_callbacks)
    task = DBTaskResult.objects.get()
    assert claim_email(notification.pk, by=str(task.pk))  # then the worker dies
    _left_running_by_a_killed_worker()

    assert stalled_tasks_recover() == 1
    run_worker()
    run_worker()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [dsl.email]
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert notification.email_claimed_at is None
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL


def test_an_email_resent_after_a_kill_is_the_same_message_not_a_second_one(
    dsl, django_capture_on_commit_callbacks
):
    """Killed after the mail server took the email but before the row said so,
    the worker's retry sends it again (no mail server can be asked). The resend
    carries the first one's Message-ID, so the DSL's mail shows one message; a
    different notification's email has a different one."""
    notification = notify_dsl(dsl, django_capture_on_commit_callbacks)
    task = DBTaskResult.objects.get()
    run_worker()
    # The email went; then the worker was killed before writing emailed_at.
    Notification.objects.filter(pk=notification.pk).update(
        emailed_at=None, email_claimed_at=timezone.now(), email_claimed_by=str(task.pk)
    )
    _left_running_by_a_killed_worker()
    assert stalled_tasks_recover() == 1
    run_worker()

    assert len(mail.outbox) == 2
    first, resent = (message.extra_headers["Message-ID"] for message in mail.outbox)
    assert first == resent
    assert first.startswith(f"<notification-{notification.pk}.")
    assert first.endswith(">") and "@" in first

    notify_dsl(dsl, django_capture_on_commit_callbacks)
    run_worker()
    assert mail.outbox[2].extra_headers["Message-ID"] != first


def test_a_live_lease_keeps_another_task_off_without_counting_as_sent(
    dsl, settings, django_capture_on_commit_callbacks
):
    """While another task may still be talking to the mail server, a second one
    sends nothing; it fails and is retried, so it cannot report the email sent if
    the first never finishes. Once the lease has lapsed, the retry sends it."""
    settings.CHRONICLE_TASK_RETRY_SECONDS = 60
    notification = notify_dsl(dsl, django_capture_on_commit_callbacks)
    assert claim_email(notification.pk, by="another-task")  # mid-send
    assert not claim_email(notification.pk, by="a-third-task")

    run_worker()

    assert mail.outbox == []
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.READY  # to be retried, after a wait
    assert task.exception_class_path == "workflows.tasks.EmailBeingSent"
    notification.refresh_from_db()
    assert notification.emailed_at is None

    # The other task's worker died and left no task to take the lease back: time
    # passes beyond the lease, and the retry is due.
    Notification.objects.filter(pk=notification.pk).update(
        email_claimed_at=timezone.now() - email_lease() - timedelta(seconds=1)
    )
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now())
    run_worker()

    assert len(mail.outbox) == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL


def test_a_send_that_fails_gives_the_lease_back(
    dsl, settings, django_capture_on_commit_callbacks
):
    """The next attempt need not wait for the lease to lapse."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = sock.getsockname()[1]  # nobody listens
    notification = notify_dsl(dsl, django_capture_on_commit_callbacks)

    run_worker()

    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert notification.email_claimed_at is None
    assert notification.email_claimed_by == ""
