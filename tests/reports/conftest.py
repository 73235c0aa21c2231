"""Seeded concerns for the reports, made directly (no workflow), with dates fixed so
that every expected count in the tests can be worked out by hand."""

import uuid
from datetime import date, time

import pytest

from accounts.models import Role, SchoolTerm
from records.models import (
    Concern,
    ConcernPupil,
    Decision,
    InvolvementRole,
    PupilFlag,
    Referral,
    Sex,
    Triage,
    YearGroup,
)
from taxonomy.models import Vocabulary
from tests.builders import member, term
from tests.factories import PupilFactory

SUBJECT = InvolvementRole.SUBJECT
WITNESS = InvolvementRole.WITNESS
RATIONALE = "Spoke to the class teacher and parent; no risk of harm found today."

# The period the tests ask for (61 days), and the 61 days before it.
PERIOD = {"from": "2026-09-01", "to": "2026-10-31"}


def category(key):
    return term(Vocabulary.CATEGORY, key)


def make_concern(
    *,
    school,
    by,
    category,
    on,
    at=None,
    where="playground",
    children=(),
    route=Concern.Route.DSL_TEAM,
    urgent=False,
):
    location = term(Vocabulary.LOCATION, where)
    concern = Concern.objects.create(
        school=school,
        submission_key=uuid.uuid4(),
        route=route,
        form_title="General concern",
        recorded_by=by,
        reported_by=by,
        occurred_on=on,
        occurred_at=at,
        location=location,
        location_name=location.name,
        what_happened="Synthetic: a worry noticed in class.",
        primary_category=category,
        primary_category_name=str(category),
        immediate_risk=urgent,
    )
    for pupil, role in children:
        ConcernPupil.objects.create(concern=concern, pupil=pupil, role=role)
    return concern


def decide(concern, outcome, by):
    return Decision.objects.create(
        concern=concern, outcome=outcome, rationale=RATIONALE, decided_by=by
    )


def refer(decision, agency_key, *, outcome="", due=date(2026, 9, 20), responded=None):
    agency = term(Vocabulary.AGENCY, agency_key)
    return Referral.objects.create(
        concern=decision.concern,
        decision=decision,
        agency=agency,
        agency_name=agency.name,
        response_due=due,
        contacted_on=date(2026, 9, 9),
        responded_on=responded,
        agency_outcome=outcome,
    )


def flag(pupil, key, starts_on, ends_on=None):
    term_ = term(Vocabulary.PROFILE_FLAG, key)
    return PupilFlag.objects.create(
        pupil=pupil,
        flag=term_,
        flag_name=term_.name,
        starts_on=starts_on,
        ends_on=ends_on,
    )


@pytest.fixture
def trust_lead(school, other_school):
    """Head of both schools, as a trust's safeguarding lead is in the demo."""
    return member(school, Role.HEAD, others=[(other_school, Role.HEAD)])


@pytest.fixture
def other_dsl(make_member, other_school):
    return make_member(Role.DSL, at=other_school)


@pytest.fixture
def configurator(make_member):
    return make_member(Role.CONFIGURATOR)


@pytest.fixture
def seeded(school, other_school, staff, dsl):
    """The concerns every figure in test_figures.py is worked out from:

    at `school`, DSL team:  c1 bullying 7 Sep (Mon) 10:15, playground — P1 subject,
                               P2 witness; decision NFA
                            c2 physical abuse 8 Sep (Tue), no time, classroom, urgent —
                               P1 and P3 subjects; decision referral: CSC (assessment),
                               police (no answer yet)
                            c3 sexual harassment 3 Oct (Sat) 21:30, online — P3;
                               triaged as neglect
                            c4 neglect 20 Aug (Thu), home — P2 (previous period);
                               decision monitor
                            c7 neglect 10 Jun 2026, home — P2 (in neither period;
                               in the Summer 2 term)
    at `school`, head:      c5 physical abuse 10 Sep (Thu), classroom — P1
    at `other_school`:      c6 bullying 15 Sep (Tue), playground — P4
    Children: P1 Y5 F (SEND since Jan 2026), P2 Y6 M (CIN from 1 Sep 2026),
              P3 Y6 M (CIN until 30 Sep 2026), P4 Y5 F.
    """
    p1 = PupilFactory(school=school, year_group=YearGroup.Y5, sex=Sex.FEMALE)
    p2 = PupilFactory(school=school, year_group=YearGroup.Y6, sex=Sex.MALE)
    p3 = PupilFactory(school=school, year_group=YearGroup.Y6, sex=Sex.MALE)
    p4 = PupilFactory(school=other_school, year_group=YearGroup.Y5, sex=Sex.FEMALE)
    flag(p1, "send", date(2026, 1, 1))
    flag(p2, "cin", date(2026, 9, 1))
    flag(p3, "cin", date(2026, 1, 1), date(2026, 9, 30))
    concerns = {}
    concerns["c1"] = make_concern(
        school=school,
        by=staff,
        category=category("bullying"),
        on=date(2026, 9, 7),
        at=time(10, 15),
        children=[(p1, SUBJECT), (p2, WITNESS)],
    )
    concerns["c2"] = make_concern(
        school=school,
        by=staff,
        category=category("physical-abuse"),
        on=date(2026, 9, 8),
        where="classroom",
        urgent=True,
        children=[(p1, SUBJECT), (p3, SUBJECT)],
    )
    concerns["c3"] = make_concern(
        school=school,
        by=staff,
        category=category("sexual-harassment"),
        on=date(2026, 10, 3),
        at=time(21, 30),
        where="online",
        children=[(p3, SUBJECT)],
    )
    Triage.objects.create(
        concern=concerns["c3"],
        primary_category=category("neglect"),
        primary_category_name="Neglect",
        risk_level="medium",
        risk_reason="Left alone at home overnight, by the child's own account.",
        triaged_by=dsl,
    )
    concerns["c4"] = make_concern(
        school=school,
        by=staff,
        category=category("neglect"),
        on=date(2026, 8, 20),
        where="home",
        children=[(p2, SUBJECT)],
    )
    concerns["c5"] = make_concern(
        school=school,
        by=staff,
        category=category("physical-abuse"),
        on=date(2026, 9, 10),
        where="classroom",
        route=Concern.Route.HEAD,
        children=[(p1, SUBJECT)],
    )
    concerns["c6"] = make_concern(
        school=other_school,
        by=staff,
        category=category("bullying"),
        on=date(2026, 9, 15),
        children=[(p4, SUBJECT)],
    )
    concerns["c7"] = make_concern(
        school=school,
        by=staff,
        category=category("neglect"),
        on=date(2026, 6, 10),
        where="home",
        children=[(p2, SUBJECT)],
    )
    decide(concerns["c1"], "nfa", dsl)
    referral = decide(concerns["c2"], "referral", dsl)
    refer(referral, "csc", outcome="assessment", responded=date(2026, 9, 10))
    refer(referral, "police")
    decide(concerns["c4"], "monitor", dsl)
    for name, starts_on, ends_on in [
        ("Summer 2 2026", date(2026, 6, 8), date(2026, 7, 21)),
        ("Autumn 1 2026", date(2026, 9, 2), date(2026, 10, 23)),
        ("Autumn 2 2026", date(2026, 11, 2), date(2026, 12, 18)),
    ]:
        SchoolTerm.objects.create(
            school=school, name=name, starts_on=starts_on, ends_on=ends_on
        )
    return concerns


REPORTS = "/admin/safeguarding-reports/"


def figures(response, key):
    """{label: (this period, previous period)} of one table of the report page."""
    section = next(s for s in response.context["sections"] if s.key == key)
    return {str(row.label): (row.current, row.previous) for row in section.rows}


@pytest.fixture
def report(verified_client):
    """report(user, **filters) -> the report page's response, asserted 200."""

    def get(user, **filters):
        response = verified_client(user).get(REPORTS, {**PERIOD, **filters})
        assert response.status_code == 200
        return response

    return get
