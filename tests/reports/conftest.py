"""Seeded concerns for the reports, made as rows (no workflow: tests.builders'
"rows as they stand"), with dates fixed so that every expected count in the tests
can be worked out by hand."""

from datetime import date, time

import pytest

from accounts.models import Role
from records.models import (
    Concern,
    InvolvementRole,
    Sex,
    Triage,
    YearGroup,
)
from taxonomy.models import Vocabulary
from tests.builders import (
    concern_row,
    decision_row,
    flag_row,
    member,
    referral_row,
    school_terms,
    term,
)
from tests.factories import PupilFactory

SUBJECT = InvolvementRole.SUBJECT
WITNESS = InvolvementRole.WITNESS

# The period the tests ask for (61 days), and the 61 days before it.
PERIOD = {"from": "2026-09-01", "to": "2026-10-31"}


def category(key):
    return term(Vocabulary.CATEGORY, key)


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
    flag_row(p1, "send", date(2026, 1, 1))
    flag_row(p2, "cin", date(2026, 9, 1))
    flag_row(p3, "cin", date(2026, 1, 1), date(2026, 9, 30))
    concerns = {}
    concerns["c1"] = concern_row(
        school=school,
        by=staff,
        category=category("bullying"),
        on=date(2026, 9, 7),
        at=time(10, 15),
        children=[(p1, SUBJECT), (p2, WITNESS)],
    )
    concerns["c2"] = concern_row(
        school=school,
        by=staff,
        category=category("physical-abuse"),
        on=date(2026, 9, 8),
        where="classroom",
        urgent=True,
        children=[(p1, SUBJECT), (p3, SUBJECT)],
    )
    concerns["c3"] = concern_row(
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
    concerns["c4"] = concern_row(
        school=school,
        by=staff,
        category=category("neglect"),
        on=date(2026, 8, 20),
        where="home",
        children=[(p2, SUBJECT)],
    )
    concerns["c5"] = concern_row(
        school=school,
        by=staff,
        category=category("physical-abuse"),
        on=date(2026, 9, 10),
        where="classroom",
        route=Concern.Route.HEAD,
        children=[(p1, SUBJECT)],
    )
    concerns["c6"] = concern_row(
        school=other_school,
        by=staff,
        category=category("bullying"),
        on=date(2026, 9, 15),
        children=[(p4, SUBJECT)],
    )
    concerns["c7"] = concern_row(
        school=school,
        by=staff,
        category=category("neglect"),
        on=date(2026, 6, 10),
        where="home",
        children=[(p2, SUBJECT)],
    )
    decision_row(concerns["c1"], "nfa", dsl)
    referral = decision_row(concerns["c2"], "referral", dsl)
    referral_row(referral, "csc", outcome="assessment", responded=date(2026, 9, 10))
    referral_row(referral, "police")
    decision_row(concerns["c4"], "monitor", dsl)
    school_terms(
        school,
        ("Summer 2 2026", date(2026, 6, 8), date(2026, 7, 21)),
        ("Autumn 1 2026", date(2026, 9, 2), date(2026, 10, 23)),
        ("Autumn 2 2026", date(2026, 11, 2), date(2026, 12, 18)),
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
