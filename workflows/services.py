"""Writes for the concern workflow. Keyword-only, validated, atomic.

Each step's service runs under the process lock (select_for_update on PostgreSQL),
re-reads the task, checks the user still holds it, writes the step's record and moves
the process on — all or nothing. A second person acting on the same task gets a
TaskConflict with a message saying what happened, never a silent overwrite.
"""

import logging
from copy import copy

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from records.models import Action, Closure, Concern, Decision, Referral, Triage
from records.validators import validate_rationale

from .clock import for_tasks, moment
from .models import (
    CaseTask,
    CaseworkSettings,
    Notification,
    PatternReview,
    PatternRule,
)
from .selectors import OPEN, heads_of, in_team, task_team, team_members
from .tasks import queue_email

logger = logging.getLogger(__name__)

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
def concern_reopen(*, concern, reason, user=None):
    """Open a new cycle of work at the decision step, for a review or because a DSL
    decides to. The reason is kept on the closure it reopens."""
    from .flows import ConcernFlow

    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the concern is being reopened.")})
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.status != Concern.Status.CLOSED or concern_has_open_process(concern):
        raise ValidationError(_("This concern is already open."))
    cycle = (concern.processes.aggregate(n=Max("cycle"))["n"] or 0) + 1
    for closure in concern.closures.filter(reopened_at__isnull=True):
        closure.reopened_at = timezone.now()
        closure.reopen_reason = reason
        closure.save(update_fields=["reopened_at", "reopen_reason"])
    concern.status = Concern.Status.IN_PROGRESS
    concern.save(update_fields=["status"])
    return ConcernFlow.reopen.run(concern=concern, cycle=cycle)


def action_create(*, submission_key=None, **kwargs):
    """Give a named person something to do by a date; it appears in their tasks.
    The same submission key twice (a double click) makes one action."""
    if submission_key is not None:
        existing = Action.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    try:
        return _action_create(submission_key=submission_key, **kwargs)
    except IntegrityError:
        existing = Action.objects.filter(submission_key=submission_key).first()
        if submission_key is None or existing is None:
            raise
        return existing


@transaction.atomic
def _action_create(
    *,
    concern,
    description,
    assigned_to,
    due_on,
    user,
    referral=None,
    submission_key=None,
):
    from .flows import ActionFlow

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
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The date is in the past.")})
    action.save()
    ActionFlow.start.run(action=action)
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
    """Hand a task to someone else who may take it: another member of the team (an
    action: anyone at the school). Only the team hands tasks over."""
    with task.activation() as activation:
        task = activation.task
        if task.status not in OPEN:
            raise TaskConflict(_("This task has already been completed."))
        if not in_team(user, task):
            raise TaskConflict(_("Only the team can hand this task over."))
        unowned = copy(task)
        unowned.owner_id = None
        if not activation.flow_task.can_assign(to, unowned):
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
        % {"step": task.flow_task.task_title, "ref": task.reference},
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


def _check_terms(school, terms, vocabulary):
    if any(
        term.school_id not in (None, school.pk) or term.vocabulary != vocabulary
        for term in terms
    ):
        raise ValidationError(_("A choice from another school's list was made."))


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
        _check_terms(concern.school, [primary_category, *tags], "category")
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
        _check_terms(concern.school, agencies, "agency")
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
    referral = Referral(
        concern=decision.concern,
        decision=decision,
        agency=agency,
        agency_name=str(agency),
    )
    # Until the referral is made, the clock runs from the decision.
    referral.response_due = _response_due(referral, timezone.localdate())
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


def referral_save(*, task, user, complete=False, **fields):
    """Record contact with the agency (the task stays open), or the agency's
    response, which completes the follow-up. An agency's "no further action" needs
    their reason. The response clock starts when the referral is made."""
    unknown = set(fields) - set(REFERRAL_CONTACT) - set(REFERRAL_RESPONSE)
    if unknown:
        raise TypeError(f"Unknown referral fields: {sorted(unknown)}")

    def write(process):
        referral = Referral.objects.select_for_update().get(pk=task.referral_id)
        made_on = referral.contacted_on
        for name, value in fields.items():
            setattr(referral, name, value)
        if referral.contacted_on and referral.contacted_on != made_on:
            referral.response_due = _response_due(referral, referral.contacted_on)
            CaseTask.objects.filter(pk=task.pk).update(due_on=referral.response_due)
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
        if activation.task.status not in OPEN:
            raise TaskConflict(_("This follow-up has already been completed."))
        if not activation.flow_task.can_execute(user, activation.task):
            raise TaskConflict(_("Claim this task before recording on it."))
        return write(activation.process)


def _response_due(referral, start):
    from accounts.calendar import add_working_days

    days = AGENCY_RESPONSE_WORKING_DAYS.get(
        referral.agency.key, DEFAULT_RESPONSE_WORKING_DAYS
    )
    return add_working_days(referral.concern.school, start, days)


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
        if not referral.agency_rationale.strip():
            errors["agency_rationale"] = _(
                "The agency is taking no further action: record their reason."
            )
        else:
            try:
                validate_rationale(referral.agency_rationale)
            except ValidationError as error:
                errors["agency_rationale"] = error.messages
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
        if needs_sign_off and not _second_signers(task, user).exists():
            raise ValidationError(
                {
                    "needs_sign_off": _(
                        "Nobody else in the team at %(school)s can sign this off. "
                        "Ask for a deputy DSL to be added, or change the casework "
                        "settings."
                    )
                    % {"school": concern.school}
                }
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
    if closure.needs_sign_off:
        sign_off = _open_step(closure.concern, "sign_off")
        notify(
            users=_second_signers(task, user),
            kind=Notification.Kind.SIGN_OFF,
            message=_("%(ref)s is ready for a second DSL to sign off.")
            % {"ref": closure.concern.reference},
            task=sign_off,
        )
    return closure


def _second_signers(task, closer):
    return task_team(task).exclude(pk=closer.pk)


def _open_step(concern, step):
    for task in CaseTask.objects.filter(
        concern=concern, flow_task_type="HUMAN", status__in=OPEN
    ):
        if task.step == step:
            return task
    return None


def sign_off_complete(*, task, user, agree, note=""):
    """A second DSL agrees the concern can close, or sends it back to closure with
    the reason (to the DSL who closed it)."""

    def write(process):
        closure = process.closure
        if closure.closed_by_id == user.pk:
            raise TaskConflict(_("A second DSL must sign off, not the one who closed."))
        closure.sign_off_note = note
        concern = process.concern
        if agree:
            closure.signed_off_by = user
            closure.signed_off_at = timezone.now()
            concern.status = Concern.Status.CLOSED
            concern.save(update_fields=["status"])
        else:
            try:
                validate_rationale(note, min_characters=15, min_words=4)
            except ValidationError as error:
                raise ValidationError({"note": error.messages}) from error
            closure.sent_back_by = user
            closure.sent_back_at = timezone.now()
        closure.save()
        return closure

    closure = _complete(task, user, write)
    if not agree:
        close = _open_step(closure.concern, "close")
        if close is not None:
            CaseTask.objects.filter(pk=close.pk, owner__isnull=True).update(
                owner=closure.closed_by,
                status=STATUS.ASSIGNED,
                assigned=timezone.now(),
            )
            notify(
                users=[closure.closed_by],
                kind=Notification.Kind.ASSIGNED,
                message=_("%(ref)s was sent back to you at sign-off: see the note.")
                % {"ref": closure.concern.reference},
                task=close,
            )
    return closure


def pattern_review_complete(*, task, user, conclusion):
    """The DSL team's conclusion on a pattern: what it shows and what is done about
    it. A stock phrase is not a conclusion (records.validators)."""

    def write(process):
        review = PatternReview.objects.select_for_update().get(process=process)
        review.conclusion = conclusion
        review.reviewed_by = user
        review.reviewed_at = timezone.now()
        review.full_clean()
        review.save()
        return review

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
    """Tell people in the admin, and by an email that carries only a link, queued
    in the caller's transaction (workflows.tasks.queue_email)."""
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
        queue_email(notification.pk)
    return notifications


def notify_new_concern(*, process, urgent):
    kind = Notification.Kind.URGENT if urgent else Notification.Kind.NEW_CONCERN
    message = (
        _("URGENT: %(ref)s at %(school)s — a child may be at immediate risk.")
        if urgent
        else _("New concern %(ref)s at %(school)s is waiting for triage.")
    ) % {"ref": process.concern.reference, "school": process.school}
    from records.selectors import people_who_may_see

    return notify(
        # A concern about a child whose file is restricted: the people named only.
        users=people_who_may_see(
            team_members(school=process.school, team=process.team),
            concern=process.concern,
        ),
        kind=kind,
        message=message,
        url=reverse("team_queue"),
    )


# The clock --------------------------------------------------------------------------


def clock_sweep(*, today=None, now=None):
    """Run the clocks: remind about late tasks, then escalate to the head; chase
    agencies that have not replied; reopen concerns whose review date has come.

    What is late, and when the head is told, is workflows.clock's rule (working
    days, school days, from 08:00 local; urgent tasks by the hour): the lists and
    counts use the same rule. Given only `today`, the sweep runs as at midday.

    Safe to run often and from several workers at once: each reminder, escalation
    and reopening is claimed by a conditional update before anyone is told, and one
    item failing is logged without stopping the others."""
    today, now = moment(today=today, now=now)
    counts = {"reminded": 0, "escalated": 0, "chased": 0, "reopened": 0, "failed": 0}
    open_tasks = CaseTask.objects.filter(
        flow_task_type="HUMAN", status__in=OPEN
    ).select_related("school", "concern", "transfer", "owner", "referral", "action")
    clock = for_tasks(open_tasks, today=today, now=now)
    late = open_tasks.filter(clock.overdue_q(), reminded_on__isnull=True)
    for task in late:
        if clock.is_running(task):
            _once(task, "reminded_on", today, counts, lambda t=task: _remind(t, today))
    escalate = open_tasks.filter(clock.escalation_q(), escalated_on__isnull=True)
    for task in escalate:
        if clock.is_running(task):
            _once(task, "escalated_on", today, counts, lambda t=task: _escalate(t))
    for closure in Closure.objects.filter(
        review_on__lte=today, reopened_at__isnull=True, concern__status="closed"
    ).select_related("concern"):
        _reopen_for_review(closure, counts)
    return counts


COUNTED = {"reminded_on": "reminded", "escalated_on": "escalated"}


def _once(task, field, today, counts, action):
    """Claim this step of the clock for the task, then act, all or nothing."""
    try:
        with transaction.atomic():
            claimed = CaseTask.objects.filter(
                pk=task.pk, **{f"{field}__isnull": True}
            ).update(**{field: today})
            if not claimed:
                return
            chased = action()
    except Exception:  # noqa: BLE001 - one broken item must not stop the clock
        logger.exception("Workflow clock: %s for task %s failed", field, task.pk)
        counts["failed"] += 1
        return
    counts[COUNTED[field]] += 1
    if chased:
        counts["chased"] += 1


def _reopen_for_review(closure, counts):
    try:
        concern_reopen(
            concern=closure.concern,
            reason=_("The review date set at closure (%(date)s) has come.")
            % {"date": closure.review_on.strftime("%d %b %Y")},
        )
    except ValidationError:
        return  # reopened meanwhile by a DSL or another worker
    except Exception:  # noqa: BLE001 - one broken item must not stop the clock
        logger.exception("Workflow clock: reopening %s failed", closure.concern_id)
        counts["failed"] += 1
        return
    counts["reopened"] += 1


def _remind(task, today):
    """Tell whoever holds the task (or the team) it is late; for a referral, give
    them a task to make or chase it. Returns whether a chase was raised."""
    users = [task.owner] if task.owner else task_team(task)
    message = _("%(step)s for %(ref)s was due on %(due)s.")
    if task.transfer_id:  # a transfer's reminder says what to chase
        from .transfers import REMINDERS

        message = str(REMINDERS.get(task.step, message))
    notify(
        users=users,
        kind=Notification.Kind.REMINDER,
        message=message
        % {
            "step": task.flow_task.task_title,
            "ref": task.reference,
            "due": _day(task.due_on),
        },
        task=task,
    )
    return bool(task.referral_id) and _chase(task, today)


def _escalate(task):
    notify(
        users=heads_of(task.school),
        kind=Notification.Kind.ESCALATION,
        message=_("Overdue: %(step)s for %(ref)s at %(school)s (due %(due)s).")
        % {
            "step": task.flow_task.task_title,
            "ref": task.reference,
            "school": task.school,
            "due": _day(task.due_on),
        },
        task=task,
        # Heads oversee; they do not open the DSL team's tasks.
        url=reverse("casework_status"),
    )
    return False


def _day(value):
    return value.strftime("%d %b %Y") if value else _("today")


def _chase(task, today):
    """The agency's deadline has passed: someone must make or chase the referral."""
    from accounts.calendar import add_working_days

    referral = task.referral
    if referral.responded_on or referral.chases.filter(completed_at=None).exists():
        return False
    if referral.contacted_on:
        description = _(
            "Chase %(agency)s: no response to the referral made on %(made)s "
            "(due %(due)s)"
        ) % {
            "agency": referral.agency_name,
            "made": _day(referral.contacted_on),
            "due": _day(referral.response_due),
        }
    else:
        description = _(
            "Make the referral to %(agency)s decided on %(decided)s: it is not "
            "recorded as made"
        ) % {
            "agency": referral.agency_name,
            "decided": _day(timezone.localdate(referral.decision.decided_at)),
        }
    action_create(
        concern=task.concern,
        description=description,
        assigned_to=task.owner or referral.decision.decided_by,
        due_on=add_working_days(task.school, today, 1),
        user=referral.decision.decided_by,
        referral=referral,
    )
    return True


def due_dates_recompute(*, school):
    """The school's calendar changed (an INSET day added, a term moved): open tasks
    due by school days, and referrals' working-day deadlines, are counted again."""
    changed = 0
    tasks = CaseTask.objects.filter(
        school=school, flow_task_type="HUMAN", status__in=OPEN
    ).select_related("school", "referral__agency", "referral__concern__school")
    for task in tasks:
        if task.referral_id and not task.referral.completed_at:
            referral = task.referral
            start = referral.contacted_on or timezone.localdate(referral.created_at)
            due = _response_due(referral, start)
            if due != referral.response_due:
                Referral.objects.filter(pk=referral.pk).update(response_due=due)
        else:
            due = task.flow_task.calc_due(task) if task.flow_task else None
        if due is not None and due != task.due_on:
            CaseTask.objects.filter(pk=task.pk).update(due_on=due)
            changed += 1
    return changed


def claim_next(*, concern, user):
    """After a step, the same person takes the concern's next steps (the decision
    after triage, each referral after the decision) where they may: the concern
    does not drop back into the queue unseen. They can release it."""
    from .flows import ConcernFlow

    claimed = []
    for task in CaseTask.objects.filter(
        concern=concern,
        flow_task_type="HUMAN",
        status=STATUS.NEW,
        action=None,
        process__flow_class=ConcernFlow,  # not a pattern review hung on it
    ).order_by("created", "pk"):
        try:
            claimed.append(task_claim(task=task, user=user))
        except TaskConflict:
            continue
    return claimed


class EditConflict(Exception):
    """Nothing was saved: what the editor's page was loaded from is no longer what
    is stored (a colleague saved in between), or the page didn't say, or said
    something Chronicle never issued (`missing`).

    Carries what is stored now and its version, for the page to show and carry on
    (saving again is then a deliberate choice to replace it), and who last changed
    it and when, None where the audit log doesn't say."""

    def __init__(self, *, stored, version, who=None, when=None, missing=False):
        super().__init__(f"{stored!r} changed since it was loaded.")
        self.stored = stored
        self.version = version
        self.who = who
        self.when = when
        self.missing = missing


def last_change(obj, fields=()):
    """The audit entry of the latest creation or update of obj (of those touching
    one of `fields`, if given), or None if the log has none."""
    from auditlog import get_logentry_model

    entry = get_logentry_model()
    entries = entry.objects.get_for_object(obj).filter(
        action__in=[entry.Action.CREATE, entry.Action.UPDATE]
    )
    if fields:
        entries = entries.filter(changes__has_any_keys=list(fields))
    return entries.select_related("actor").order_by("-timestamp", "-pk").first()


def casework_settings_version(settings):
    """Which save of a school's settings a page was loaded from. Every save bumps
    `updated_at` (auto_now); before the first there is no row, and the version is
    "new"."""
    return settings.updated_at.isoformat() if settings.pk else "new"


def _is_timestamp(text):
    try:
        return parse_datetime(text) is not None
    except ValueError:
        return False


@transaction.atomic
def casework_settings_save(*, school, user, closure_sign_off, version):
    """Save a school's settings if they are still the `version` the DSL's page was
    loaded from; otherwise save nothing and raise EditConflict.

    The school's row is locked before the settings are read, so of two DSLs saving
    at once the second waits, then sees the first one's save and is told. The
    school, not the settings row, because before the first save there is no
    settings row to lock. Before the first save there is nothing to lose, so any
    page may save; choosing what is already stored writes nothing, so it can't
    make a colleague's open page look out of date."""
    from accounts.models import School

    _check_settings_dsl(user, school)
    School.objects.select_for_update().get(pk=school.pk)
    settings = CaseworkSettings.for_school(school)
    if settings.pk and settings.closure_sign_off == closure_sign_off:
        return settings
    stored_version = casework_settings_version(settings)
    if settings.pk and version != stored_version:
        change = last_change(settings)
        raise EditConflict(
            stored=settings,
            version=stored_version,
            who=change.actor if change else None,
            when=settings.updated_at,
            missing=not (version == "new" or _is_timestamp(version)),
        )
    settings.closure_sign_off = closure_sign_off
    settings.full_clean()
    settings.save()
    return settings


def _check_settings_dsl(user, school):
    from accounts.models import Role
    from accounts.selectors import schools_where

    if not schools_where(user, Role.DSL).filter(pk=school.pk).exists():
        raise PermissionDenied


@transaction.atomic
def pattern_rule_add(*, school, user, min_concerns, within_days, category=None):
    """A DSL adds a threshold for her school (see workflows.patterns)."""
    _check_settings_dsl(user, school)
    rule = PatternRule(
        school=school,
        min_concerns=min_concerns,
        within_days=within_days,
        category=category,
        created_by=user,
    )
    rule.full_clean()
    if PatternRule.objects.filter(
        school=school,
        is_active=True,
        min_concerns=min_concerns,
        within_days=within_days,
        category=category,
    ).exists():
        raise ValidationError(_("This rule is already set."))
    rule.save()
    return rule


@transaction.atomic
def pattern_rule_remove(*, rule, user):
    """Remove a threshold. One that has raised reviews is switched off instead:
    the reviews say which rule raised them."""
    _check_settings_dsl(user, rule.school)
    if rule.reviews.exists():
        rule.is_active = False
        rule.save(update_fields=["is_active"])
        return rule
    rule.delete()
    return None
