"""Background work (django-tasks): runs immediately in development and tests, on a
worker in production."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def send_notification_email(notification_pk):
    """Email a notification. The email carries no case content: only that there is
    something to look at, and the link."""
    from .models import Notification

    notification = (
        Notification.objects.select_related("user").filter(pk=notification_pk).first()
    )
    if notification is None or notification.emailed_at or not notification.user.email:
        return
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + notification.url
    send_mail(
        subject=_("Chronicle: %(kind)s") % {"kind": notification.get_kind_display()},
        message=_(
            "There is something for you in Chronicle.\n\n%(link)s\n\n"
            "For the children's safety this email never contains case details: "
            "sign in to read them."
        )
        % {"link": link},
        from_email=None,
        recipient_list=[notification.user.email],
    )
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


@task()
def run_clock_sweep():
    from .services import clock_sweep

    return clock_sweep()
