"""Background work (django-tasks): rows in the database run by `manage.py db_worker`
(django-tasks-db), at once in tests. A task that fails is retried with backoff
(ops.retries), so each must be safe to run twice."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def send_notification_email(notification_pk):
    """Email a notification, once. The email carries no case content: only that
    there is something to look at, and the link.

    Enqueued when the transaction that made the notification commits
    (workflows.services.notify). The notification is claimed by a conditional update
    of `emailed_at` before the mail server is called, so two workers, or a retry
    racing the attempt it replaces, cannot both send it; a failed send gives the
    claim back and raises, and the task is retried."""
    from .models import Notification

    notification = (
        Notification.objects.select_related("user").filter(pk=notification_pk).first()
    )
    if notification is None or notification.emailed_at or not notification.user.email:
        return "nothing to send"
    claimed_at = timezone.now()
    unsent = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True)
    if not unsent.update(emailed_at=claimed_at):
        return "sent by another attempt"
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + notification.url
    kind = notification.get_kind_display()
    try:
        send_mail(
            subject=_("Chronicle: %(kind)s") % {"kind": kind},
            message=_(
                "There is something for you in Chronicle.\n\n%(link)s\n\n"
                "For the children's safety this email never contains case details: "
                "sign in to read them."
            )
            % {"link": link},
            from_email=None,
            recipient_list=[notification.user.email],
        )
    except Exception:
        Notification.objects.filter(pk=notification.pk, emailed_at=claimed_at).update(
            emailed_at=None
        )
        raise
    return "sent"


@task()
def run_clock_sweep():
    from .services import clock_sweep

    return clock_sweep()
