"""Sign-in, lockout and sign-out go to the audit log, successful or not; and a
signal for apps whose dates count school days (workflows recomputes due dates)."""

import time
from enum import StrEnum

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import Signal, receiver

from audit.services import security_event

from .middleware import LAST_ACTIVITY, SIGNED_IN_AT
from .models import Role

# Sent with school= after a term or closure day is added or removed.
calendar_changed = Signal()


class RoleChange(StrEnum):
    """What happened to a role (the role_changed signal's `change`)."""

    PROPOSED = "proposed"  # waiting for a second person at the school
    GIVEN = "given"
    DECLINED = "declined"
    TAKEN_AWAY = "taken away"


# Sent by services.role_give, role_grant_confirm, role_grant_decline and
# role_take_away with school=, person=, role=, change= (a RoleChange), actor= (who
# made the change: None on the server), confirmed_by= (the second person, for a
# confirmed role) and grant= (the PendingRoleGrant, if any). Workflows tells the
# school's heads, the trust's leads and, for a role that sees case content, its
# DSLs, naming who made the change; a proposal goes to those who may confirm it.
role_changed = Signal()

# Sent by school_settings.services after the chair of governors, where concerns
# about the head go, or the trust's nominated lead changed, with school= and actor=.
# Workflows tells the school's heads, DSLs and trust leads, and whoever is now
# chosen, naming who made the change: a new case manager never goes unnoticed.
case_managers_changed = Signal()

# The roles that see a school's case content or oversee it: giving one is announced
# to the school's DSLs as well as its heads and the trust's leads.
ANNOUNCED_ROLES = (Role.DSL, Role.DEPUTY_DSL, Role.HEAD)


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        # The session's clocks (middleware.py) start here.
        now = int(time.time())
        request.session[SIGNED_IN_AT] = request.session[LAST_ACTIVITY] = now
    security_event(user=user, actor=user, event="password accepted")


@receiver(user_logged_out)
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        security_event(user=user, actor=user, event="signed out")


@receiver(user_login_failed)
def sign_in_refused(sender, credentials, request=None, **kwargs):
    user = get_user_model().objects.filter(username=credentials.get("username")).first()
    if user is None:
        return
    if getattr(request, "axes_locked_out", False):
        # The password was not even checked: the username and address are locked out.
        security_event(user=user, event="sign-in refused while locked out")
    else:
        security_event(user=user, event="password refused")


@receiver(user_locked_out)
def sign_in_locked_out(sender, request, username, ip_address, **kwargs):
    """django-axes locked out a username (from an address) after repeated refused
    passwords: the moment the lockout starts goes to the audit log."""
    user = get_user_model().objects.filter(username=username).first()
    if user is not None:
        security_event(user=user, event="sign-in locked out", address=ip_address or "")
