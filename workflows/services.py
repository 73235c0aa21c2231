"""Writes for the concern workflow. Keyword-only, validated, atomic.

Each step's service runs under the process lock (select_for_update on PostgreSQL),
re-reads the task, checks the user still holds it, writes the step's record and moves
the process on — all or nothing. A second person acting on the same task gets a
TaskConflict with a message saying what happened, never a silent overwrite.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from records.models import Action, Closure, Concern, Decision, Referral, Triage
from records.validators import validate_rationale

from .models import CaseTask, CaseworkSettings, Notification
from .selectors import OPEN, heads_of, in_team, team_members
from .tasks import send_notification_email

# Working days an agency has to respond before Chronicle raises a chase. Children's
# social care must decide next steps within one working day (Working Together 2023).
AGENCY_RESPONSE_WORKING_DAYS = {"csc": 1}
DEFAULT_RESPONSE_WORKING_DAYS = 5


class TaskConflict(ValidationError):
    """Someone else claimed, released or completed the task first."""


# Starting processes -----------------------------------------------------------------


def concern_process_start(*, concern):
    """Start the concern's process, inside the submission's transaction."""
    from .flows import ConcernFlow

    return ConcernFlow.start.run(concern=concern)


def concern_has_open_process(concern):
    from .flows import ConcernFlow

    return concern.processes.filter(
        flow_class=ConcernFlow, status__in=["NEW", "STARTED"]
    ).exists()


@transaction.atomic
def concern_reopen(*, concern, user=None, reason=""):
    """Open a new cycle of work at the decision step (a review, or a DSL's choice)."""
    from .flows import ConcernFlow

    if concern_has_open_process(concern):
        raise ValidationError(_("This concern is already open."))
    cycle = (concern.processes.aggregate(n=Max("cycle"))["n"] or 0) + 1
    for closure in concern.closures.filter(reopened_at__isnull=True):
        closure.reopened_at = timezone.now()
        closure.save(update_fields=["reopened_at"])
    concern.status = Concern.Status.IN_PROGRESS
    concern.save(update_fields=["status"])
    return ConcernFlow.reopen.run(concern=concern, cycle=cycle)


@transaction.atomic
def action_create(*, concern, description, assigned_to, due_on, user, referral=None):
    """Give a named person something to do by a date; it appears in their tasks."""
    from .flows import ActionFlow

    action = Action(
        concern=concern,
        description=description,
        assigned_to=assigned_to,
        due_on=due_on,
        created_by=user,
        referral=referral,
        kind=Action.Kind.CHASE if referral else Action.Kind.ACTION,
    )
    action.full_clean()
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The date is in the past.")})
    action.save()
    ActionFlow.start.run(action=action)
    task = CaseTask.objects.get(action=action, flow_task_type="HUMAN")
    notify(
        users=[assigned_to],
        kind=Notification.Kind.ASSIGNED,
        message=_("An action for you, by %(due)s: %(what)s")
        % {"due": due_on.strftime("%d %b %Y"), "what": description[:150]},
        task=task,
    )
    return action


# Claiming -----------------------------------------------------------------------------


def _who(task):
    return task.owner.get_full_name() or task.owner.username if task.owner else ""


def task_claim(*, task, user):
    """Take an unclaimed task. Exactly one of two simultaneous claims wins."""
    with task.activation() as activation:
        task = activation.task
        if task.status not in OPEN:
            raise TaskConflict(_("This task has already been completed."))
        if task.owner_id == user.pk:
            return task
        if task.owner_id:
            raise TaskConflict(
                _("%(name)s claimed this task first.") % {"name": _who(task)}
            )
        if not activation.flow_task.can_assign(user, task):
            raise TaskConflict(_("You cannot take this task."))
        # The conditional update makes one winner even where the database has no
        # row locks (SQLite in development).
        won = CaseTask.objects.filter(pk=task.pk, owner__isnull=True).update(
            owner=user, status=STATUS.ASSIGNED, assigned=timezone.now()
        )
        if not won:
            raise TaskConflict(_("Someone else claimed this task first."))
        task.refresh_from_db()
        _log_owner(task, None, user)
        return task


def task_release(*, task, user):
    """Put a claimed task back in the team queue."""
    with task.activation() as activation:
        task = activation.task
        if task.owner_id is None or task.status not in OPEN:
            raise TaskConflict(_("This task is no longer held by anyone."))
        if not activation.flow_task.can_unassign(user, task):
            raise TaskConflict(_("You cannot release this task."))
        previous = task.owner
        CaseTask.objects.filter(pk=task.pk).update(
            owner=None, status=STATUS.NEW, assigned=None, started=None
        )
        task.refresh_from_db()
        _log_owner(task, previous, None)
        return task


def task_reassign(*, task, user, to):
    """Hand a task to another member of the same team at the same school."""
    with task.activation() as activation:
        task = activation.task
        if task.status not in OPEN:
            raise TaskConflict(_("This task has already been completed."))
        if not (task.owner_id == user.pk or in_team(user, task)):
            raise TaskConflict(_("You cannot reassign this task."))
        if not in_team(to, task) or not activation.flow_task.can_assign(
            to, _unowned(task)
        ):
            raise ValidationError(
                {"to": _("%(name)s cannot take this task.") % {"name": to}}
            )
        previous = task.owner
        CaseTask.objects.filter(pk=task.pk).update(
            owner=to, status=STATUS.ASSIGNED, assigned=timezone.now(), started=None
        )
        task.refresh_from_db()
        _log_owner(task, previous, to)
    notify(
        users=[to],
        kind=Notification.Kind.ASSIGNED,
        message=_("%(step)s for %(ref)s was handed to you.")
        % {"step": task.flow_task.task_title, "ref": task.concern.reference},
        task=task,
    )
    return task


def _log_owner(task, before, after):
    """Claims and hand-overs are in the audit log: who held the task, and when."""
    from audit.services import record_change

    record_change(
        obj=task,
        changes={"owner": [str(before or ""), str(after or "")]},
    )


def _unowned(task):
    task.owner_id = None
    return task


# Completing steps -------------------------------------------------------------------


def _complete(task, user, write):
    """Run `write(process)` and move the process on, under the process lock."""
    with task.activation() as activation:
        task = activation.task
        if task.status not in OPEN:
            raise TaskConflict(_("This task has already been completed."))
        if not activation.flow_task.can_execute(user, task):
            holder = _who(task)
            raise TaskConflict(
                _("%(name)s holds this task now.") % {"name": holder}
                if holder
                else _("Claim this task before completing it.")
            )
        result = write(activation.process)
        activation.start(None)
        activation.execute()
        return result


def _check_terms(school, terms):
    if any(term.school_id not in (None, school.pk) for term in terms):
        raise ValidationError(_("A term from another school's list was chosen."))


def triage_complete(  # noqa: PLR0913
    *,
    task,
    user,
    primary_category,
    risk_level,
    risk_reason,
    tags=(),
    actions_needed="",
    roles=None,
):
    """Confirm category and children's roles, set the risk with its reason."""

    def write(process):
        concern = process.concern
        _check_terms(concern.school, [primary_category, *tags])
        try:
            validate_rationale(risk_reason, min_characters=15, min_words=4)
        except ValidationError as error:
            raise ValidationError({"risk_reason": error.messages}) from error
        triage = Triage(
            concern=concern,
            cycle=process.cycle,
            primary_category=primary_category,
            primary_category_name=str(primary_category),
            tag_names=[str(tag) for tag in tags],
            risk_level=risk_level,
            risk_reason=risk_reason,
            actions_needed=actions_needed,
            triaged_by=user,
        )
        triage.full_clean()
        triage.save()
        triage.tags.set(tags)
        _set_roles(concern, roles or {})
        concern.status = Concern.Status.IN_PROGRESS
        concern.save(update_fields=["status"])
        if risk_level == "immediate" and not process.urgent:
            _make_urgent(process)
        return triage

    return _complete(task, user, write)


def _set_roles(concern, roles):
    for involvement in concern.involvements.all():
        role = roles.get(involvement.pk)
        if role and role != involvement.role:
            involvement.role = role
            involvement.full_clean()
            involvement.save(update_fields=["role"])


def _make_urgent(process):
    process.urgent = True
    process.save(update_fields=["urgent"])
    CaseTask.objects.filter(process=process).update(urgent=True)
    notify_new_concern(process=process, urgent=True)


def decision_complete(
    *, task, user, outcome, rationale, consulted="", review_on=None, agencies=()
):
    """Record the decision and its reason; open one referral per agency chosen."""

    def write(process):
        concern = process.concern
        _check_decision(outcome, agencies, review_on)
        _check_terms(concern.school, agencies)
        decision = Decision(
            concern=concern,
            cycle=process.cycle,
            outcome=outcome,
            rationale=rationale,
            consulted=consulted,
            review_on=review_on,
            decided_by=user,
        )
        decision.full_clean()
        decision.save()
        for agency in agencies:
            _referral_open(decision, agency)
        return decision

    return _complete(task, user, write)


def _check_decision(outcome, agencies, review_on):
    errors = {}
    if outcome == "referral" and not agencies:
        errors["agencies"] = _("Choose the agencies you are referring to.")
    if outcome != "referral" and agencies:
        errors["agencies"] = _(
            "Agencies are chosen only with the decision “Refer to other agencies”."
        )
    if outcome != "nfa" and review_on is None:
        errors["review_on"] = _("Set a date to review this decision.")
    if review_on is not None and review_on <= timezone.localdate():
        errors["review_on"] = _("The review date must be after today.")
    if errors:
        raise ValidationError(errors)


def _referral_open(decision, agency):
    from accounts.calendar import add_working_days

    days = AGENCY_RESPONSE_WORKING_DAYS.get(agency.key, DEFAULT_RESPONSE_WORKING_DAYS)
    referral = Referral(
        concern=decision.concern,
        decision=decision,
        agency=agency,
        agency_name=str(agency),
        response_due=add_working_days(
            decision.concern.school, timezone.localdate(), days
        ),
    )
    referral.full_clean()
    referral.save()
    return referral


REFERRAL_CONTACT = ("contacted_on", "method", "contact_name", "reference")
REFERRAL_RESPONSE = (
    "responded_on",
    "agency_outcome",
    "response",
    "agency_rationale",
    "disagreement",
)


@transaction.atomic
def referral_save(*, task, user, complete=False, **fields):
    """Record contact with the agency (the task stays open), or the agency's
    response, which completes the follow-up. An agency's "no further action" needs
    their reason."""
    unknown = set(fields) - set(REFERRAL_CONTACT) - set(REFERRAL_RESPONSE)
    if unknown:
        raise TypeError(f"Unknown referral fields: {sorted(unknown)}")

    def write(process):
        referral = Referral.objects.select_for_update().get(pk=task.referral_id)
        for name, value in fields.items():
            setattr(referral, name, value)
        if complete:
            _check_response(referral)
            referral.completed_by = user
            referral.completed_at = timezone.now()
        referral.full_clean()
        referral.save()
        return referral

    if complete:
        return _complete(task, user, write)
    with task.activation() as activation:
        if not activation.flow_task.can_execute(user, activation.task):
            raise TaskConflict(_("Claim this task before recording on it."))
        return write(activation.process)


def _check_response(referral):
    errors = {}
    required = {
        "contacted_on": _("Say when the referral was made."),
        "method": _("Say how the referral was made."),
        "responded_on": _("Say when the agency responded."),
        "agency_outcome": _("Record what the agency decided."),
    }
    for name, message in required.items():
        if not getattr(referral, name):
            errors[name] = message
    if referral.agency_outcome == Referral.AgencyOutcome.NFA:
        try:
            validate_rationale(referral.agency_rationale)
        except ValidationError as error:
            errors["agency_rationale"] = [
                _("The agency is taking no further action: record their reason."),
                *error.messages,
            ]
    if (
        referral.contacted_on
        and referral.responded_on
        and referral.responded_on < referral.contacted_on
    ):
        errors["responded_on"] = _("The response cannot come before the referral.")
    if errors:
        raise ValidationError(errors)


def closure_complete(
    *, task, user, outcome_summary, rationale, review_on=None, needs_sign_off=False
):
    """Close the cycle. The school's rule may require a second DSL's sign-off
    whatever the closing DSL chose (CaseworkSettings)."""

    def write(process):
        nonlocal needs_sign_off
        concern = process.concern
        rule = CaseworkSettings.for_school(concern.school)
        needs_sign_off = needs_sign_off or rule.sign_off_required(
            concern, process.cycle
        )
        if review_on is not None and review_on <= timezone.localdate():
            raise ValidationError({"review_on": _("The review date must be later.")})
        closure = Closure(
            concern=concern,
            cycle=process.cycle,
            outcome_summary=outcome_summary,
            rationale=rationale,
            review_on=review_on,
            needs_sign_off=needs_sign_off,
            closed_by=user,
        )
        closure.full_clean()
        closure.save()
        if not needs_sign_off:
            concern.status = Concern.Status.CLOSED
            concern.save(update_fields=["status"])
        return closure

    closure = _complete(task, user, write)
    if needs_sign_off:
        notify(
            users=team_members(school=task.school, team=task.team).exclude(pk=user.pk),
            kind=Notification.Kind.SIGN_OFF,
            message=_("%(ref)s is ready for a second DSL to sign off.")
            % {"ref": closure.concern.reference},
        )
    return closure


def sign_off_complete(*, task, user, note=""):
    def write(process):
        closure = process.closure
        if closure.closed_by_id == user.pk:
            raise TaskConflict(_("A second DSL must sign off, not the one who closed."))
        closure.signed_off_by = user
        closure.signed_off_at = timezone.now()
        closure.sign_off_note = note
        closure.save(update_fields=["signed_off_by", "signed_off_at", "sign_off_note"])
        concern = process.concern
        concern.status = Concern.Status.CLOSED
        concern.save(update_fields=["status"])
        return closure

    return _complete(task, user, write)


def action_complete(*, task, user, note):
    def write(process):
        if not note.strip():
            raise ValidationError({"note": _("Say what was done.")})
        action = process.action
        action.completed_at = timezone.now()
        action.completed_note = note
        action.save(update_fields=["completed_at", "completed_note"])
        return action

    return _complete(task, user, write)


# Notifications ----------------------------------------------------------------------


def notify(*, users, kind, message, task=None, url=None):
    """Tell people in the admin, and by an email that carries only a link."""
    url = url or (
        reverse("casework_task", args=[task.pk]) if task else reverse("my_tasks")
    )
    notifications = [
        Notification.objects.create(
            user=user, kind=kind, message=message, url=url, task=task
        )
        for user in users
    ]
    for notification in notifications:
        transaction.on_commit(
            lambda pk=notification.pk: send_notification_email.enqueue(pk)
        )
    return notifications


def notify_new_concern(*, process, urgent):
    kind = Notification.Kind.URGENT if urgent else Notification.Kind.NEW_CONCERN
    message = (
        _("URGENT: %(ref)s at %(school)s — a child may be at immediate risk.")
        if urgent
        else _("New concern %(ref)s at %(school)s is waiting for triage.")
    ) % {"ref": process.concern.reference, "school": process.school}
    return notify(
        users=team_members(school=process.school, team=process.team),
        kind=kind,
        message=message,
        url=reverse("team_queue"),
    )


# The clock --------------------------------------------------------------------------


def clock_sweep(*, today=None):
    """Run the clocks: remind about overdue tasks, then escalate to the head; chase
    agencies that have not replied; reopen concerns whose review date has come.
    Safe to run often (cron or a worker): each step happens once."""
    today = today or timezone.localdate()
    counts = {"reminded": 0, "escalated": 0, "chased": 0, "reopened": 0}
    overdue = CaseTask.objects.filter(
        flow_task_type="HUMAN", status__in=OPEN, due_on__lt=today
    ).select_related("school", "concern", "owner", "referral")
    for task in overdue.filter(reminded_on__isnull=True):
        _remind(task, today)
        counts["reminded"] += 1
        if task.referral_id and _chase(task, today):
            counts["chased"] += 1
    escalate = overdue.filter(escalated_on__isnull=True, reminded_on__lt=today)
    for task in escalate:
        _escalate(task, today)
        counts["escalated"] += 1
    for closure in Closure.objects.filter(
        review_on__lte=today, reopened_at__isnull=True, concern__status="closed"
    ).select_related("concern"):
        concern_reopen(concern=closure.concern, reason="review date")
        counts["reopened"] += 1
    return counts


def _remind(task, today):
    users = (
        [task.owner] if task.owner else team_members(school=task.school, team=task.team)
    )
    notify(
        users=users,
        kind=Notification.Kind.REMINDER,
        message=_("%(step)s for %(ref)s was due on %(due)s.")
        % {
            "step": task.flow_task.task_title,
            "ref": task.concern.reference,
            "due": task.due_on.strftime("%d %b %Y"),
        },
        task=task,
    )
    CaseTask.objects.filter(pk=task.pk).update(reminded_on=today)


def _escalate(task, today):
    notify(
        users=heads_of(task.school),
        kind=Notification.Kind.ESCALATION,
        message=_("Overdue: %(step)s for %(ref)s at %(school)s (due %(due)s).")
        % {
            "step": task.flow_task.task_title,
            "ref": task.concern.reference,
            "school": task.school,
            "due": task.due_on.strftime("%d %b %Y"),
        },
        task=task,
    )
    CaseTask.objects.filter(pk=task.pk).update(escalated_on=today)


def _chase(task, today):
    """An agency has not replied by the due date: someone must chase them."""
    from accounts.calendar import add_working_days

    referral = task.referral
    if referral.responded_on or referral.chases.filter(completed_at=None).exists():
        return False
    assignee = task.owner or referral.decision.decided_by
    action_create(
        concern=task.concern,
        description=_("Chase %(agency)s: no response to the referral by %(due)s")
        % {"agency": referral.agency_name, "due": referral.response_due},
        assigned_to=assignee,
        due_on=add_working_days(task.school, today, 1),
        user=referral.decision.decided_by,
        referral=referral,
    )
    return True


@transaction.atomic
def casework_settings_save(*, school, user, closure_sign_off):
    from accounts.models import Role
    from accounts.selectors import schools_where

    if not schools_where(user, Role.DSL).filter(pk=school.pk).exists():
        raise PermissionDenied
    settings = CaseworkSettings.for_school(school)
    settings.closure_sign_off = closure_sign_off
    settings.full_clean()
    settings.save()
    return settings
