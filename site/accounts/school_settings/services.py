"""Writes for a school's settings: where concerns about its head go, the trust's
nominated lead, and the school's DfE number and bank holiday region.

Each is checked against its selector (who may set it) and validated before it is
saved; the page saves them together, all or nothing. School and Trust are in the
audit log (accounts.audit_registration), so who changed what, and when, is kept;
a change of case manager is also told at once (the case_managers_changed signal)
to the school's heads, DSLs and trust leads, and to the person now chosen, naming
who made it.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import HeadConcernsTo, School, Trust, User
from ..signals import case_managers_changed
from .selectors import (
    chair_candidates,
    may_set_case_managers,
    may_set_nominated_lead,
    may_set_school_details,
    nominated_lead_candidates,
)


def school_case_managers_set(
    *,
    school: School,
    user: User,
    chair_of_governors: User | None,
    head_concerns_to: str,
) -> bool:
    """Set the chair of governors and which of them hears first; True if either
    changed."""
    if not may_set_case_managers(user, school):
        raise PermissionDenied
    if (
        chair_of_governors
        and not chair_candidates(school).filter(pk=chair_of_governors.pk).exists()
    ):
        raise ValidationError(
            {
                "chair_of_governors": _(
                    "Choose someone who holds a role at %(school)s and is not its head."
                )
                % {"school": school}
            }
        )
    if head_concerns_to not in HeadConcernsTo.values:
        raise ValidationError({"head_concerns_to": _("Choose where they go.")})
    changed = (
        school.chair_of_governors_id != (chair_of_governors and chair_of_governors.pk)
        or school.head_concerns_to != head_concerns_to
    )
    if changed:
        school.chair_of_governors = chair_of_governors
        school.head_concerns_to = head_concerns_to
        school.full_clean()
        school.save(update_fields=["chair_of_governors", "head_concerns_to"])
    return changed


def trust_nominated_lead_set(
    *, trust: Trust, user: User, nominated_lead: User | None
) -> bool:
    """Set the trust's nominated lead (for every school of the trust); True if it
    changed."""
    if not may_set_nominated_lead(user, trust):
        raise PermissionDenied
    if (
        nominated_lead
        and not nominated_lead_candidates(trust).filter(pk=nominated_lead.pk).exists()
    ):
        raise ValidationError(
            {
                "nominated_lead": _(
                    "Choose someone who holds a role at one of %(trust)s's schools."
                )
                % {"trust": trust}
            }
        )
    if trust.nominated_lead_id == (nominated_lead and nominated_lead.pk):
        return False
    trust.nominated_lead = nominated_lead
    trust.full_clean()
    trust.save(update_fields=["nominated_lead"])
    return True


def school_details_set(
    *, school: School, user: User, dfe_number: str, region: str
) -> School:
    if not may_set_school_details(user, school):
        raise PermissionDenied
    school.dfe_number = (dfe_number or "").strip()
    school.region = region
    school.full_clean()
    school.save(update_fields=["dfe_number", "region"])
    return school


@transaction.atomic
def school_settings_save(
    *, school: School, user: User, changes: dict[str, Any]
) -> list[str]:
    """Save what the user may set from the settings page, all or nothing. The
    `changes` hold only the fields the page offered them (the others are refused
    by the service they belong to). Returns what changed, for the message."""
    school = (
        School.objects.select_for_update(of=("self",))
        .select_related("trust")
        .get(pk=school.pk)
    )
    saved = []
    if "chair_of_governors" in changes or "head_concerns_to" in changes:
        if school_case_managers_set(
            school=school,
            user=user,
            chair_of_governors=changes.get(
                "chair_of_governors", school.chair_of_governors
            ),
            head_concerns_to=changes.get("head_concerns_to", school.head_concerns_to),
        ):
            saved.append("case_managers")
    if "nominated_lead" in changes:
        if school.trust is None:
            raise PermissionDenied
        if trust_nominated_lead_set(
            trust=school.trust, user=user, nominated_lead=changes["nominated_lead"]
        ):
            saved.append("nominated_lead")
    if "dfe_number" in changes or "region" in changes:
        school_details_set(
            school=school,
            user=user,
            dfe_number=changes.get("dfe_number", school.dfe_number),
            region=changes.get("region", school.region),
        )
        saved.append("details")
    if {"case_managers", "nominated_lead"} & set(saved):
        school.refresh_from_db()
        case_managers_changed.send(sender=School, school=school, actor=user)
    return saved
