"""Reports open on the current school term, not the last twelve months (issue 21)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import SchoolTerm
from reports.filters import current_term_name

pytestmark = pytest.mark.django_db
REPORTS = "/admin/safeguarding-reports/"


@pytest.fixture
def terms(school):
    today = timezone.localdate()
    return [
        SchoolTerm.objects.create(
            school=school,
            name="Last term",
            starts_on=today - timedelta(days=120),
            ends_on=today - timedelta(days=60),
        ),
        SchoolTerm.objects.create(
            school=school,
            name="This term",
            starts_on=today - timedelta(days=20),
            ends_on=today + timedelta(days=20),
        ),
    ]


def test_reports_open_on_the_current_term(terms, dsl, head, verified_client):
    for user in (dsl, head):
        response = verified_client(user).get(REPORTS)
        form = response.context["form"]
        assert form.cleaned_data["term"] == "This term"
        assert 'value="This term" selected' in response.content.decode()
        params = response.context["params"]
        assert params.period.start == terms[1].starts_on
        assert params.previous.start == terms[0].starts_on


def test_any_dates_chosen_is_kept(terms, dsl, verified_client):
    response = verified_client(dsl).get(REPORTS, {"term": ""})
    params = response.context["params"]
    assert params.term_name == ""
    assert params.period.end == timezone.localdate()
    assert (params.period.end - params.period.start).days > 300


def test_in_a_holiday_the_last_term_begun_and_before_any_term_none():
    terms = [
        SchoolTerm(
            name="Autumn", starts_on=date(2026, 9, 2), ends_on=date(2026, 10, 23)
        ),
        SchoolTerm(
            name="Spring", starts_on=date(2027, 1, 5), ends_on=date(2027, 2, 12)
        ),
    ]
    assert current_term_name(terms, date(2026, 10, 28)) == "Autumn"
    assert current_term_name(terms, date(2027, 1, 6)) == "Spring"
    assert current_term_name(terms, date(2026, 8, 1)) == ""
