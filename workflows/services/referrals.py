"""Referrals to agencies: opened by the decision, then the contact made and the
agency's response recorded, against a working-day response clock."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.calendar import add_working_days
from accounts.models import User
from records.models import Decision, Referral
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
)


def referral_save(
    *, task: CaseTask, user: User, complete: bool = False, **fields: Any
) -> Referral:
    """Record contact with the agency (the task stays open), or the agency's
    response, which completes the follow-up. An agency's "no further action" needs
    their reason. The response clock starts when the referral is made."""
    unknown = set(fields) - set(REFERRAL_CONTACT) - set(REFERRAL_RESPONSE)
    if unknown:
        raise TypeError(f"Unknown referral fields: {sorted(unknown)}")

    def write(process: CaseProcess) -> Referral:
        referral = Referral.objects.select_for_update().get(pk=task.referral_id)
        made_on = referral.contacted_on
        for name, value in fields.items():
            setattr(referral, name, value)
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
