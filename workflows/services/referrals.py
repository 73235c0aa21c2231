"""Referrals to agencies: opened by the decision, then the contact made and the
agency's response recorded, against a working-day response clock."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.calendar import add_working_days
from accounts.models import User
from chronicle.idempotency import create_once
from records.models import (
    Decision,
    KeyPerson,
    Pupil,
    Referral,
    ReferralContact,
)
from records.selectors import pupils_workable_by
from records.services import key_person_add
from records.validators import validate_rationale
from taxonomy.models import Term

from ..models import CaseProcess, CaseTask
from .writing import step_complete, step_write

# Working days an agency has to respond before Chronicle raises a chase. Children's
# social care must decide next steps within one working day (Working Together 2023).
AGENCY_RESPONSE_WORKING_DAYS = {"csc": 1}
DEFAULT_RESPONSE_WORKING_DAYS = 5


def referral_open(decision: Decision, agency: Term) -> Referral:
    referral = Referral(
        concern=decision.concern,
        decision=decision,
        agency=agency,
        agency_name=str(agency),
    )
    # Until the referral is made, the clock runs from the decision.
    referral.response_due = referral_response_due(referral, timezone.localdate())
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
    "worker_name",
    "worker_phone",
    "worker_email",
    "escalated_on",
    "escalated_to",
    "escalation_reason",
)

# The key person's role for the worker an agency allocates, by the agency's key.
WORKER_ROLES = {
    "csc": KeyPerson.Role.SOCIAL_WORKER,
    "early-help": KeyPerson.Role.EARLY_HELP,
    "police": KeyPerson.Role.POLICE,
    "camhs": KeyPerson.Role.HEALTH,
    "school-nurse": KeyPerson.Role.HEALTH,
    "gp": KeyPerson.Role.HEALTH,
    "virtual-school": KeyPerson.Role.VIRTUAL_SCHOOL,
}


def referral_save(
    *,
    task: CaseTask,
    user: User,
    complete: bool = False,
    contact: dict[str, Any] | None = None,
    key_person_for: list[Pupil] | None = None,
    **fields: Any,
) -> Referral:
    """Record contact with the agency (the task stays open), or the agency's
    response, which completes the follow-up. An agency's "no further action" needs
    their reason; "no response — escalated" needs a chase logged, the escalation
    and its reason. The response clock starts when the referral is made.

    `contact` (contacted_at, method, spoke_to, summary, submission_key) logs a
    chase or other contact with the agency on the open referral, in the same
    write (ReferralContact; a double submit logs it once).

    `key_person_for`: children of the concern on whose file the worker the agency
    allocated (worker_name…) is added as a key person, with the response."""
    unknown = set(fields) - set(REFERRAL_CONTACT) - set(REFERRAL_RESPONSE)
    if unknown:
        raise TypeError(f"Unknown referral fields: {sorted(unknown)}")

    def write(process: CaseProcess) -> Referral:
        referral = Referral.objects.select_for_update().get(pk=task.referral_id)
        made_on = referral.contacted_on
        for name, value in fields.items():
            setattr(referral, name, value)
        if contact is not None:
            _contact_log(referral, user, **contact)
        if referral.contacted_on and referral.contacted_on != made_on:
            referral.response_due = referral_response_due(
                referral, referral.contacted_on
            )
            CaseTask.objects.filter(pk=task.pk).update(due_on=referral.response_due)
        if complete:
            _check_response(referral)
            referral.completed_by = user
            referral.completed_at = timezone.now()
        referral.full_clean()
        referral.save()
        if key_person_for:
            worker_add(referral=referral, user=user, pupils=key_person_for)
        return referral

    if complete:
        return step_complete(task, user, write)
    return step_write(
        task,
        user,
        write,
        done_message=_("This follow-up has already been completed."),
        claim_message=_("Claim this task before recording on it."),
    )


def worker_add(
    *, referral: Referral, user: User, pupils: list[Pupil]
) -> list[KeyPerson]:
    """The worker the agency allocated, as a key person on each child's file:
    only children of the concern whose file the user works, and not twice (a
    current key person of the same name and role is kept as it is)."""
    if not referral.worker_name.strip():
        raise ValidationError(
            {"worker_name": _("Give the worker's name to add them as a key person.")}
        )
    allowed = pupils_workable_by(user).filter(
        pk__in=[p.pk for p in pupils], involvements__concern=referral.concern_id
    )
    if allowed.count() != len({p.pk for p in pupils}):
        raise ValidationError(
            {
                "key_person_for": _(
                    "Choose children of this concern whose file you work."
                )
            }
        )
    role = WORKER_ROLES.get(referral.agency.key, KeyPerson.Role.OTHER)
    added = []
    for pupil in allowed:
        if (
            KeyPerson.objects.filter(pupil=pupil, role=role, to_date__isnull=True)
            .filter(name__iexact=referral.worker_name.strip())
            .exists()
        ):
            continue
        added.append(
            key_person_add(
                pupil=pupil,
                user=user,
                role=role,
                name=referral.worker_name.strip(),
                organisation=referral.agency_name,
                phone=referral.worker_phone,
                email=referral.worker_email,
                from_date=referral.responded_on or timezone.localdate(),
            )
        )
    return added


def _contact_log(
    referral: Referral,
    user: User,
    *,
    contacted_at: datetime,
    method: str,
    summary: str,
    spoke_to: str = "",
    submission_key: UUID | None = None,
) -> ReferralContact:
    """One contact with the agency, written once (a double submit logs one)."""

    def make() -> ReferralContact:
        if contacted_at > timezone.now():
            raise ValidationError({"chase_at": _("This time is in the future.")})
        if timezone.localdate(contacted_at) < timezone.localdate(
            referral.decision.decided_at
        ):
            raise ValidationError(
                {"chase_at": _("This is before the referral was decided.")}
            )
        item = ReferralContact(
            concern=referral.concern,
            referral=referral,
            contacted_at=contacted_at,
            method=method,
            spoke_to=spoke_to,
            summary=summary,
            recorded_by=user,
            submission_key=submission_key,
        )
        item.full_clean()
        item.save()
        return item

    contact, _created = create_once(ReferralContact, submission_key, make)
    return contact


def referral_response_due(referral: Referral, start: date) -> date:
    """When the agency's response is due: working days from `start` (the referral
    made, or decided), AGENCY_RESPONSE_WORKING_DAYS for the agency."""
    days = AGENCY_RESPONSE_WORKING_DAYS.get(
        referral.agency.key, DEFAULT_RESPONSE_WORKING_DAYS
    )
    return add_working_days(referral.concern.school, start, days)


def _check_response(referral: Referral) -> None:
    errors: dict[str, Any] = {}
    required = {
        "contacted_on": _("Say when the referral was made."),
        "method": _("Say how the referral was made."),
        "responded_on": _("Say when the agency responded."),
        "agency_outcome": _("Record what the agency decided."),
    }
    if referral.agency_outcome == Referral.AgencyOutcome.NO_RESPONSE:
        del required["responded_on"]
        errors.update(_check_escalation(referral))
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


def _check_escalation(referral: Referral) -> dict[str, Any]:
    """ "No response — escalated" ends the follow-up without the agency's answer:
    only once the school has chased (a contact logged), escalated (when, to whom)
    and said why."""
    errors: dict[str, Any] = {}
    if referral.responded_on:
        errors["responded_on"] = _(
            "A response date is recorded: choose what the agency decided, not "
            "“no response”."
        )
    if not referral.contacts.exists():
        errors["agency_outcome"] = _(
            "Log your chase first (when, how and what was said), then record "
            "that there was no response."
        )
    if not referral.escalated_on:
        errors["escalated_on"] = _("Say when you escalated it.")
    elif referral.escalated_on > timezone.localdate():
        errors["escalated_on"] = _("This date is in the future.")
    elif referral.contacted_on and referral.escalated_on < referral.contacted_on:
        errors["escalated_on"] = _("The escalation cannot come before the referral.")
    if not referral.escalated_to.strip():
        errors["escalated_to"] = _("Say to whom you escalated it.")
    try:
        validate_rationale(referral.escalation_reason)
    except ValidationError as error:
        errors["escalation_reason"] = error.messages
    return errors
