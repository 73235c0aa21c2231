"""The pre-counted figures stay equal to a recount of the concerns as concerns are
made, triaged, closed, merged into another category, moved and destroyed; and the
report read from them gives every viewer exactly what counting the concerns under
their own permissions gives."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from records import retention
from records.models import Concern, ConcernAboutAdult, Pupil
from reports import rollups, selectors
from reports.filters import MONTH, TERM, Period, ReportParams
from reports.models import ConcernFigure
from reports.queries import build_report, counters
from taxonomy.models import Vocabulary
from taxonomy.services import term_merge

from .. import builders

pytestmark = pytest.mark.django_db


def _matches():
    assert rollups.differences() == []


def test_figures_follow_every_change_to_a_concern(
    school, other_school, staff, dsl, make_member
):
    first = builders.concern(by=staff, school=school, immediate_risk=True)
    second = builders.concern(
        by=staff, school=school, category="neglect", occurred_at=timezone.now().time()
    )
    builders.concern(by=staff, school=school, route=Concern.Route.HEAD)
    _matches()
    assert (
        ConcernFigure.objects.get(
            dimension="all", school=school, day=timezone.localdate()
        ).concerns
        == 2
    )  # the concern about an adult is counted per viewer, live

    builders.triage(first, dsl, category="physical-abuse")
    first.refresh_from_db()
    assert first.reporting_category.key == "physical-abuse"
    _matches()

    builders.triage(second, dsl)
    builders.decide(second, dsl, outcome="nfa", agencies=())
    builders.close(second, dsl)
    _matches()

    merged = builders.term(Vocabulary.CATEGORY, "physical-abuse")
    term_merge(source=merged, into=builders.term(Vocabulary.CATEGORY, "neglect"))
    first.refresh_from_db()
    assert first.reporting_category.key == "neglect"
    _matches()

    # Moved to another school and re-dated (a correction): both figures move.
    first.school = other_school
    first.occurred_on = date(2026, 1, 5)
    first.save()
    _matches()
    Concern.objects.filter(pk=second.pk).update(occurred_on=date(2025, 1, 5))
    assert rollups.differences() != []  # past the signals: rebuild puts it right
    call_command("reports_rollup")
    _matches()


def test_destroying_a_file_takes_its_concerns_out_of_the_figures(submit, dsl, school):
    concern = submit()
    builders.triage(concern, dsl)
    child = concern.involvements.get().pupil
    Pupil.objects.filter(pk=child.pk).update(
        date_of_birth=date(2010, 1, 1), date_left=date(2026, 7, 20)
    )
    _matches()
    retention.file_destroy(
        pupil=Pupil.objects.get(pk=child.pk),
        user=dsl,
        reason="Retention period over.",
        confirm_upn=child.upn,
        today=date(2040, 3, 1),
    )
    assert not Concern.objects.filter(pk=concern.pk).exists()
    _matches()
    assert not ConcernFigure.objects.filter(concerns__gt=0).exists()


def _report(user, params, viewer):
    concerns = selectors.concerns_for_reports(user)
    return [
        (section.key, [(str(r.label), r.current, r.previous) for r in section.rows])
        for section in build_report(concerns, params, viewer=viewer)
    ]


@pytest.mark.parametrize("grouping", [MONTH, TERM])
def test_each_viewer_gets_the_live_count_from_the_figures(
    grouping, school, other_school, staff, dsl, head, make_member
):
    today = timezone.localdate()
    builders.concern(by=staff, school=school, immediate_risk=True)
    builders.concern(
        by=staff, school=school, category="neglect", occurred_on=today - timedelta(40)
    )
    named = builders.concern(by=staff, school=school)
    # A concern routed to the DSL team that names the DSL (as a member of staff).
    ConcernAboutAdult.objects.create(concern=named, **builders.adult(dsl))
    builders.concern(by=staff, school=school, route=Concern.Route.HEAD)
    builders.concern(by=staff, school=other_school)
    period = Period(start=today - timedelta(days=60), end=today)
    for user in (dsl, head):
        params = ReportParams(
            period=period,
            previous=period.before(),
            grouping=grouping,
            schools=list(selectors.report_schools(user)),
            terms=list(selectors.terms_for_reports(user)),
        )
        from_figures = _report(user, params, viewer=user)
        live = _report(user, params, viewer=None)
        assert from_figures == live
        totals = {label: now for label, now, _ in from_figures[0][1]}
        # The DSL is never counted the concern naming them; the head counts the
        # concern about an adult they are case manager of.
        assert totals["Concerns"] == (2 if user == dsl else 4)


def test_a_category_filter_counts_the_concerns_live(school, staff, dsl):
    builders.concern(by=staff, school=school)
    today = timezone.localdate()
    period = Period(start=today - timedelta(days=30), end=today)
    params = ReportParams(
        period=period,
        previous=period.before(),
        grouping=MONTH,
        schools=[school],
        categories=[builders.term(Vocabulary.CATEGORY, "bullying")],
    )
    concerns = selectors.concerns_for_reports(dsl)
    counter = counters.counter_for(concerns, params, viewer=dsl)
    assert isinstance(counter, counters.LiveCounter)
    sections = build_report(concerns, params, viewer=dsl)
    assert sections[0].rows[0].current == 1
