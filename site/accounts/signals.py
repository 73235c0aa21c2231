"""Sign-in and sign-out go to the audit log, successful or not; and a signal for
apps whose dates count school days (workflows recomputes due dates from it)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import Signal, receiver

from audit.services import security_event

# Sent with school= after a term or closure day is added or removed.
calendar_changed = Signal()


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs):
    security_event(user=user, actor=user, event="password accepted")


@receiver(user_logged_out)
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        security_event(user=user, actor=user, event="signed out")


@receiver(user_login_failed)
def sign_in_refused(sender, credentials, request=None, **kwargs):
    user = get_user_model().objects.filter(username=credentials.get("username")).first()
    if user is not None:
        security_event(user=user, event="password refused")
