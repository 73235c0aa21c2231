"""A chase names the concern it is about in the notification, never in the email."""

from datetime import date

import pytest
from django.core import mail

from workflows.models import CaseTask, Notification

from .test_clock import at, calendar, clock, referral_made, sweep

pytestmark = pytest.mark.django_db
__all__ = ["calendar", "clock"]  # fixtures, imported for these tests


def test_the_chase_notification_names_the_concern_and_the_email_does_not(
    calendar, submit, clock, dsl, django_capture_on_commit_callbacks
):
    task = referral_made(submit, clock, dsl, date(2026, 12, 3))
    reference = task.concern.reference
    monday = clock(at(date(2026, 12, 7), 8, 5))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(monday)["chased"] == 1

    chase_task = CaseTask.objects.get(
        action=task.referral.chases.get(), flow_task_type="HUMAN"
    )
    notice = Notification.objects.get(task=chase_task, user=dsl)
    assert reference in notice.message
    assert "Chase" in notice.message
    emails = [m for m in mail.outbox if dsl.email in m.to]
    assert emails
    assert all(reference not in m.subject + m.body for m in emails)
