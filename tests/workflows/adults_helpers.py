"""Shared by the tests of concerns about adults (tests/workflows/test_adults_*)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from records.models import AdultConcernKind, AdultRole, Concern
from workflows import services
from workflows.adults import services as adult_services

from .. import builders
from ..builders import open_task

LONDON = ZoneInfo("Europe/London")
REASON = (
    "The LADO said the account is specific and consistent with an earlier "
    "report, so the threshold for a strategy discussion is met."
)
RATIONALE = (
    "Two colleagues saw the incident and the CCTV confirms the child's account; "
    "the adult accepted in interview that the contact happened."
)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def about(kind=AdultConcernKind.ALLEGATION, person=None, name="", **fields):
    """The fields of records.ConcernAboutAdult for concern_open(about_adult=)."""
    if person is not None:
        name = name or person.get_full_name()
    return {
        "kind": kind,
        "person": person,
        "name": name or "Sam Visitor",
        "role": AdultRole.STAFF if person else AdultRole.VISITOR,
        "reporter_relationship": "Colleague",
        **fields,
    }


def report_about_adult(by, *, school=None, children=None, **about_fields):
    school = school or by.memberships.first().school
    return builders.concern(
        by=by,
        school=school,
        children=children,
        route=Concern.Route.HEAD,
        about_adult=about(**about_fields),
        what_happened="Mr Example grabbed a child's arm hard in the corridor.",
    )


def claim(concern, step, user):
    return services.task_claim(task=open_task(concern, step), user=user)


def refer(concern, head, **fields):
    task = claim(concern, "refer_lado", head)
    values = {
        "referred_on": timezone.localdate(),
        "lado_name": "Pat LADO (Northshire)",
        "method": "phone",
        "summary": "Allegation of a hard grab in the corridor; a bruise seen.",
        **fields,
    }
    return adult_services.lado_referral_complete(task=task, user=head, **values)


def advise(concern, head, **fields):
    task = claim(concern, "lado_advice", head)
    values = {
        "received_on": timezone.localdate(),
        "advice": "strategy",
        "reasons": REASON,
        **fields,
    }
    return adult_services.lado_advice_complete(task=task, user=head, **values)


def strategise(concern, head, **fields):
    task = claim(concern, "strategy", head)
    values = {
        "held": True,
        "held_on": timezone.localdate(),
        "attendees": "Pat LADO; DC Jones (police); the head",
        "decisions": "Police will not investigate; the employer investigates and "
        "reports back to the LADO within two weeks.",
        **fields,
    }
    return adult_services.strategy_complete(task=task, user=head, **values)


def act(concern, head, **fields):
    task = claim(concern, "employer_actions", head)
    values = {
        "suspended": False,
        "suspension_reasons": "Redeployed to non-teaching duties away from the "
        "child, with a colleague present: a reasonable alternative to suspension.",
        **fields,
    }
    return adult_services.employer_action_complete(task=task, user=head, **values)


def conclude(concern, head, outcome="substantiated", **fields):
    task = claim(concern, "outcome", head)
    values = {"outcome": outcome, "rationale": RATIONALE, **fields}
    return adult_services.outcome_complete(task=task, user=head, **values)
