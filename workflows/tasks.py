"""Background work (django-tasks): rows in the database run by `manage.py db_worker`
(django-tasks-db), at once in tests. A task that fails is retried with backoff
(ops.retries), so each must be safe to run twice."""

import logging
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks_db.backend import DatabaseBackend

from .models import Notification

logger = logging.getLogger(__name__)


class EmailBeingSent(Exception):
    """Another attempt holds a live lease on this email. This attempt fails and is
    retried with backoff rather than reporting success: the task succeeds only once
    the email is known to have gone, so a lease left by a worker that died is never
    mistaken for a sent email."""


def email_lease() -> timedelta:
    """How long another task's claim on a notification's email holds.

    Longer than any live send (an SMTP conversation is some ten exchanges, each
    allowed EMAIL_TIMEOUT), so a second task never sends while the first may still
    be talking to the mail server. The task that holds the lease does not wait for
    it: it runs again only once its earlier attempt is over (failed, or its worker
    found gone by ops.retries.stalled_tasks_recover), and takes the lease back at
    once."""
    return timedelta(seconds=max(300, 10 * (settings.EMAIL_TIMEOUT or 30)))


def claim_email(notification_pk, *, by: str, now=None):
    """Take the lease on a notification's email for the task `by` (its id): a
    conditional update, so only one task holds it at a time. Returns the claim's
    time, or None when the email has gone or another task's lease is live."""
    now = now or timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_pk, emailed_at__isnull=True)
        .filter(
            Q(email_claimed_at__isnull=True)
            | Q(email_claimed_at__lt=now - email_lease())
            | Q(email_claimed_by=by)
        )
        .update(email_claimed_at=now, email_claimed_by=by)
    )
    return now if claimed else None


def message_id(notification) -> str:
    """The email's Message-ID, the same on every attempt at one notification.

    A worker killed after the mail server took the email but before `emailed_at`
    was written sends it again on the retry (no mail server can be asked whether it
    already has a message). The resend is then the same message, not a second one:
    mail systems and clients treat messages with one Message-ID as one, and anyone
    reading a mail log can tell a resend from a second notification. The creation
    time keeps the ids of two installations apart."""
    domain = urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "chronicle.invalid"
    stamp = notification.created_at.strftime("%Y%m%d%H%M%S%f")
    return f"<notification-{notification.pk}.{stamp}@{domain}>"


def _give_back(notification_pk, claimed_at):
    """Release our lease after a failed send, so the retry need not wait for it to
    lapse. Should even this fail, the lease lapses on its own."""
    try:
        Notification.objects.filter(
            pk=notification_pk, email_claimed_at=claimed_at, emailed_at__isnull=True
        ).update(email_claimed_at=None, email_claimed_by="")
    except Exception:
        logger.exception(
            "Could not release the email lease of notification %s; it lapses after %s",
            notification_pk,
            email_lease(),
        )


@task(takes_context=True)
def send_notification_email(context, notification_pk):
    """Email a notification: at least once, and never twice while a send is live.
    The email carries no case content: only that there is something to look at,
    and the link.

    The task takes a lease (`email_claimed_at`/`_by`, claim_email) before calling
    the mail server and sets `emailed_at` only after the server has taken the
    email. A failed send, or the worker being stopped mid-send (SystemExit is a
    BaseException), gives the lease back and fails, and the task is retried. A
    worker killed outright leaves the lease; the scheduler makes the task ready
    again (ops.retries.stalled_tasks_recover) and the same task takes its lease
    back and sends; another task waits for the lease to lapse (email_lease).
    Killed after the server took the email but before `emailed_at` was written,
    the email goes again: never a loss, and the resend carries the same
    Message-ID (message_id), so it is the same message, not a second one."""
    notification = (
        Notification.objects.select_related("user", "task__concern", "task__transfer")
        .filter(pk=notification_pk)
        .first()
    )
    if notification is None or notification.emailed_at or not notification.user.email:
        return "nothing to send"
    claimed_at = claim_email(notification.pk, by=str(context.task_result.id))
    if claimed_at is None:
        if Notification.objects.filter(
            pk=notification.pk, emailed_at__isnull=False
        ).exists():
            return "sent by another attempt"
        raise EmailBeingSent(
            f"notification {notification.pk}: another attempt is sending it"
        )
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + notification.url
    try:
        EmailMessage(
            subject=email_subject(notification),
            body=_(
                "There is something for you in Chronicle.\n\n%(link)s\n\n"
                "For the children's safety this email never contains case details: "
                "sign in to read them."
            )
            % {"link": link},
            to=[notification.user.email],
            headers={"Message-ID": message_id(notification)},
        ).send()
    except BaseException:
        _give_back(notification.pk, claimed_at)
        raise
    Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now(), email_claimed_at=None, email_claimed_by=""
    )
    return "sent"


def email_subject(notification: Notification) -> str:
    """The kind of notification and, when it is about a concern or a transfer, its
    reference ("Chronicle: Task overdue — C000005"): a DSL with several chases
    knows which one to open. A reference names no child: never a name, a
    category or what happened."""
    kind = notification.get_kind_display()
    reference = notification.task.reference if notification.task else ""
    if reference:
        return _("Chronicle: %(kind)s — %(ref)s") % {"kind": kind, "ref": reference}
    return _("Chronicle: %(kind)s") % {"kind": kind}


def queue_email(notification_pk) -> None:
    """Queue a notification's email as part of the caller's transaction.

    On the database backend (production) enqueueing is an INSERT: made inside the
    transaction, the task commits with the notification or not at all. The worker
    cannot see it before the commit, a rollback removes it, and no crash between
    commit and enqueue can leave a notification never emailed; an enqueue error
    fails the whole save instead of surfacing after it. Backends that run the task
    at once when it is enqueued (the immediate backend, in tests) would send before
    the commit, and send for a rolled-back notification: for them it waits for the
    commit (on_commit)."""
    if isinstance(send_notification_email.get_backend(), DatabaseBackend):
        send_notification_email.enqueue(notification_pk)
    else:
        transaction.on_commit(partial(send_notification_email.enqueue, notification_pk))
