"""Telling people: a notice in the admin and an email that carries only a link.

The lowest of the workflow services: flow handlers (workflows.flows), pattern alerts
and the receivers of lower apps' signals call these, so this module imports no flow.
"""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from records.selectors import case_managers, people_who_may_see

from ..models import CaseProcess, CaseTask, Notification, Team
from ..tasks import queue_email
from ..teams import team_members


def notify(
    *,
    users: Iterable[User],
    kind: str,
    message: str,
    task: CaseTask | None = None,
    url: str | None = None,
) -> list[Notification]:
    """Tell people in the admin, and by an email that carries only a link, queued
    in the caller's transaction (workflows.tasks.queue_email)."""
    url = url or (
        reverse("workflows:casework_task", args=[task.pk])
        if task
        else reverse("workflows:my_tasks")
    )
    notifications = [
        Notification.objects.create(
            user=user, kind=kind, message=message, url=url, task=task
        )
        for user in users
    ]
    for notification in notifications:
        queue_email(notification.pk)
    return notifications


def notify_new_concern(*, process: CaseProcess, urgent: bool) -> list[Notification]:
    kind = Notification.Kind.URGENT if urgent else Notification.Kind.NEW_CONCERN
    message = (
        _("URGENT: %(ref)s at %(school)s — a child may be at immediate risk.")
        if urgent
        else _("New concern %(ref)s at %(school)s is waiting for triage.")
    ) % {"ref": process.concern.reference, "school": process.school}
    if process.team == Team.HEAD:
        # A concern about an adult: its case manager, never the adult it names.
        users = case_managers(process.concern)
    else:
        # A concern about a child whose file is restricted: the people named only.
        users = people_who_may_see(
            team_members(school=process.school, team=process.team),
            concern=process.concern,
        )
    return notify(
        users=users,
        kind=kind,
        message=message,
        url=reverse("workflows:team_queue"),
    )
