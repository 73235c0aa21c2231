"""A chase names the concern it is about: in full in the notification, by its
reference only in the email's subject (never the child or what happened)."""

from datetime import date

import pytest
from django.core import mail

from workflows.models import CaseTask, Notification

from .test_clock import at, calendar, clock, referral_made, sweep

pytestmark = pytest.mark.django_db
__all__ = ["calendar", "clock"]  # fixtures, imported for these tests


def test_the_chase_notification_names_the_concern_and_the_email_its_reference(
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
    assert any(
        m.subject == f"Chronicle: Task assigned to you — {reference}" for m in emails
    )
    assert any(m.subject == f"Chronicle: Task overdue — {reference}" for m in emails)
    child = task.concern.involvements.get().pupil
    for email in emails:
        assert reference not in email.body
        for private in (child.first_name, child.last_name, task.concern.what_happened):
            assert private not in email.subject + email.body
