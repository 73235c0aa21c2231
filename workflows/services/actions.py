"""Internal actions: something a named person does by a date (and the chase the
clock raises when an agency hasn't replied)."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from chronicle.idempotency import create_once
from records.models import Action, Concern, ConcernAboutAdult, Referral

from .. import flows
from ..models import CaseProcess, CaseTask, Notification
from .notifications import notify
from .writing import step_complete


def action_complete(*, task: CaseTask, user: User, note: str) -> Action:
    def write(process: CaseProcess) -> Action:
        if not note.strip():
            raise ValidationError({"note": _("Say what was done.")})
        action = process.action
        action.completed_at = timezone.now()
        action.completed_note = note
        action.save(update_fields=["completed_at", "completed_note"])
        return action

    return step_complete(task, user, write)


def action_create(*, submission_key: Any = None, **kwargs: Any) -> Action:
    """Give a named person something to do by a date; it appears in their tasks.
    The same submission key twice (a double click) makes one action."""
    action, _created = create_once(
        Action,
        submission_key,
        lambda: _action_create(submission_key=submission_key, **kwargs),
    )
    return action


@transaction.atomic
def _action_create(
    *,
    concern: Concern,
    description: str,
    assigned_to: User,
    due_on: date,
    user: User,
    referral: Referral | None = None,
    submission_key: Any = None,
) -> Action:
    action = Action(
        submission_key=submission_key,
        concern=concern,
        description=description,
        assigned_to=assigned_to,
        due_on=due_on,
        created_by=user,
        referral=referral,
        kind=Action.Kind.CHASE if referral else Action.Kind.ACTION,
    )
    action.full_clean()
    if not assigned_to.memberships.filter(school=concern.school_id).exists():
        raise ValidationError(
            {
                "assigned_to": _("Choose someone who works at %(school)s.")
                % {"school": concern.school}
            }
        )
    if ConcernAboutAdult.objects.filter(concern=concern, person=assigned_to).exists():
        # Conflict of interest: never a task on a concern about oneself.
        raise ValidationError(
            {"assigned_to": _("Choose someone else: this concern is about them.")}
        )
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The date is in the past.")})
    action.save()
    flows.ActionFlow.start.run(action=action)
    task = CaseTask.objects.get(action=action, flow_task_type="HUMAN")
    notify(
        users=[assigned_to],
        kind=Notification.Kind.ASSIGNED,
        # The concern's reference, so the notice says which concern it is about
        # (the email carries only the link: workflows.tasks).
        message=_("An action for you on %(ref)s, by %(due)s: %(what)s")
        % {
            "ref": concern.reference,
            "due": due_on.strftime("%d %b %Y"),
            "what": description[:150],
        },
        task=task,
    )
    return action
