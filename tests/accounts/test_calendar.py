"""The school calendar: the school-day clock, and the admin pages that keep it."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.calendar import (
    add_school_days,
    add_working_days,
    is_school_day,
    last_school_day,
    next_school_day,
    school_days_between,
)
from accounts.models import ClosureKind, Role, SchoolClosureDay, SchoolTerm
from accounts.services import (
    membership_grant,
    school_closure_day_add,
    school_term_add,
)
from audit.models import ChainedLogEntry

from ..factories import SchoolFactory

# Part of a synthetic England 2026/27 year.
TERMS = [
    ("Autumn 1 2026", date(2026, 9, 2), date(2026, 10, 23)),
    ("Autumn 2 2026", date(2026, 11, 2), date(2026, 12, 18)),
    ("Spring 1 2027", date(2027, 1, 5), date(2027, 2, 12)),
]
CLOSURES = [
    (date(2026, 9, 2), ClosureKind.INSET),
    (date(2027, 1, 5), ClosureKind.INSET),
    (date(2026, 12, 25), ClosureKind.BANK_HOLIDAY),
    (date(2026, 12, 28), ClosureKind.BANK_HOLIDAY),
    (date(2027, 1, 1), ClosureKind.BANK_HOLIDAY),
]


@pytest.fixture
def year(school):
    for name, starts_on, ends_on in TERMS:
        SchoolTerm.objects.create(
            school=school, name=name, starts_on=starts_on, ends_on=ends_on
        )
    for day, kind in CLOSURES:
        SchoolClosureDay.objects.create(school=school, date=day, kind=kind)
    return school


# The clock


def test_one_school_day_after_the_friday_before_half_term_is_the_monday_after(year):
    assert add_school_days(year, date(2026, 10, 23), 1) == date(2026, 11, 2)
    assert next_school_day(year, date(2026, 10, 23)) == date(2026, 11, 2)


def test_the_last_school_day_before_half_term_ends_is_the_friday_before(
    year, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        assert last_school_day(year, date(2026, 10, 31)) == date(2026, 10, 23)
    assert last_school_day(year, date(2026, 11, 2)) == date(2026, 11, 2)


def test_five_school_days_run_across_half_term(year):
    # Wed 21 Oct: Thu 22, Fri 23, then Mon 2, Tue 3, Wed 4 Nov.
    assert add_school_days(year, date(2026, 10, 21), 5) == date(2026, 11, 4)
    assert school_days_between(year, date(2026, 10, 21), date(2026, 11, 4)) == 5


def test_an_inset_day_is_not_a_school_day(year):
    assert not is_school_day(year, date(2027, 1, 5))
    assert is_school_day(year, date(2027, 1, 6))
    # The last day of the autumn term, then Christmas, then INSET on Tue 5 Jan.
    assert add_school_days(year, date(2026, 12, 18), 1) == date(2027, 1, 6)
    assert next_school_day(year, date(2026, 9, 1)) == date(2026, 9, 3)


def test_holidays_and_weekends_are_not_school_days(year):
    assert not is_school_day(year, date(2026, 10, 28))  # half term
    assert not is_school_day(year, date(2026, 10, 24))  # a Saturday in term
    assert is_school_day(year, date(2026, 10, 22))


def test_zero_school_days_is_today_if_it_is_one_else_the_next(year):
    assert add_school_days(year, date(2026, 10, 22), 0) == date(2026, 10, 22)
    assert add_school_days(year, date(2026, 10, 24), 0) == date(2026, 11, 2)


def test_counting_between_dates(year):
    assert school_days_between(year, date(2026, 10, 23), date(2026, 11, 2)) == 1
    assert school_days_between(year, date(2026, 11, 2), date(2026, 10, 23)) == 0
    assert school_days_between(year, date(2026, 11, 2), date(2026, 11, 2)) == 0
    # Autumn 1 has 38 weekdays; its first day is INSET.
    assert school_days_between(year, date(2026, 9, 1), date(2026, 10, 23)) == 37


def test_working_days_run_through_the_holidays_but_skip_bank_holidays(year):
    # Children's social care: one working day, even in the Christmas holidays.
    assert add_working_days(year, date(2026, 12, 18), 1) == date(2026, 12, 21)
    # Thu 24 Dec: Christmas Day, the weekend and the Boxing Day substitute are out.
    assert add_working_days(year, date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert add_working_days(year, date(2026, 12, 31), 1) == date(2027, 1, 4)
    # An INSET day shuts the school, not the council.
    assert add_working_days(year, date(2027, 1, 4), 1) == date(2027, 1, 5)


def test_a_school_with_no_terms_counts_every_weekday_that_is_not_a_closure(
    school, other_school
):
    SchoolClosureDay.objects.create(
        school=school, date=date(2026, 10, 26), kind=ClosureKind.OTHER
    )
    assert add_school_days(school, date(2026, 10, 23), 1) == date(2026, 10, 27)
    assert add_school_days(other_school, date(2026, 10, 23), 1) == date(2026, 10, 26)
    assert is_school_day(school, date(2026, 8, 12))  # the summer holiday, unknown
    assert not is_school_day(school, date(2026, 8, 15))  # a Saturday


def test_one_schools_calendar_does_not_move_anothers_clock(year, other_school):
    SchoolTerm.objects.create(
        school=other_school,
        name="Autumn 2026",
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 12, 18),
    )
    assert add_school_days(other_school, date(2026, 10, 23), 1) == date(2026, 10, 26)
    assert add_school_days(year, date(2026, 10, 23), 1) == date(2026, 11, 2)


def test_past_the_last_term_entered_the_clock_still_ends_on_a_weekday(year):
    # No summer term entered: rather than never ending, count in weekdays.
    assert add_school_days(year, date(2027, 2, 12), 2) == date(2027, 2, 16)


def test_counting_backwards_is_refused(year):
    with pytest.raises(ValueError, match="forwards"):
        add_school_days(year, date(2026, 10, 23), -1)


def test_a_long_count_takes_two_queries_at_most(year, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert add_school_days(year, date(2026, 9, 1), 100) == date(2027, 2, 12)
    with django_assert_max_num_queries(2):
        days = school_days_between(year, date(2026, 9, 1), date(2027, 2, 12))
        assert days == 100
    with django_assert_max_num_queries(2):
        is_school_day(year, date(2026, 10, 22))
    with django_assert_max_num_queries(1):
        add_working_days(year, date(2026, 9, 1), 200)


# The rules, through the services


def test_overlapping_terms_are_refused(year, dsl):
    with pytest.raises(ValidationError, match="overlap Autumn 2 2026"):
        school_term_add(
            school=year,
            name="Christmas",
            starts_on=date(2026, 12, 14),
            ends_on=date(2026, 12, 23),
            user=dsl,
        )


def test_a_term_that_ends_before_it_starts_is_refused(school, dsl):
    with pytest.raises(ValidationError) as refused:
        school_term_add(
            school=school,
            name="Backwards",
            starts_on=date(2026, 9, 10),
            ends_on=date(2026, 9, 1),
            user=dsl,
        )
    assert refused.value.message_dict == {
        "ends_on": ["The last day of a term can't be before its first day."]
    }


def test_one_closure_day_per_date_and_none_at_weekends(year, dsl):
    with pytest.raises(ValidationError, match="already has a closure day"):
        school_closure_day_add(
            school=year, date=date(2027, 1, 5), kind=ClosureKind.OTHER, user=dsl
        )
    with pytest.raises(ValidationError, match="Saturday 24 October 2026 is a weekend"):
        school_closure_day_add(
            school=year, date=date(2026, 10, 24), kind=ClosureKind.OTHER, user=dsl
        )


def test_the_services_refuse_someone_who_does_not_keep_the_calendar(
    school, other_school, make_member
):
    other_dsl = make_member(Role.DSL, at=other_school)
    with pytest.raises(PermissionDenied):
        school_term_add(
            school=school,
            name="Autumn 1 2026",
            starts_on=date(2026, 9, 2),
            ends_on=date(2026, 10, 23),
            user=other_dsl,
        )
    assert not SchoolTerm.objects.exists()


# The admin pages


def calendar_url(school):
    return reverse("accounts_admin:school_calendar_school", args=[school.pk])


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("role", [Role.DSL, Role.DEPUTY_DSL, Role.HEAD])
def test_dsl_deputy_and_head_reach_their_schools_calendar(
    verified_client, make_member, year, role
):
    client = verified_client(make_member(role))
    response = client.get(reverse("accounts_admin:school_calendar"))
    assert response.status_code == 302
    assert response.url == calendar_url(year)
    page = client.get(response.url).content.decode()
    assert "Autumn 2 2026" in page
    assert "Tue 5 Jan 2027" in page
    assert (
        reverse("accounts_admin:school_calendar")
        in client.get("/admin/").content.decode()
    )


def test_dsl_adds_a_term(verified_client, dsl, school):
    response = verified_client(dsl).post(
        reverse("accounts_admin:school_calendar_term_add", args=[school.pk]),
        {"name": "Autumn 1 2026", "starts_on": "2026-09-02", "ends_on": "2026-10-23"},
        follow=True,
    )
    term = SchoolTerm.objects.get(school=school)
    assert (term.name, term.starts_on, term.ends_on) == (
        "Autumn 1 2026",
        date(2026, 9, 2),
        date(2026, 10, 23),
    )
    assert messages_of(response) == [
        "Term added: Autumn 1 2026 (2 Sep 2026 to 23 Oct 2026)."
    ]
    assert "Fri 23 Oct 2026" in response.content.decode()
    entry = ChainedLogEntry.objects.get_for_object(term).get()
    assert entry.actor == dsl


def test_dsl_adds_a_closure_day(verified_client, dsl, school):
    response = verified_client(dsl).post(
        reverse("accounts_admin:school_calendar_closure_day_add", args=[school.pk]),
        {"date": "2027-05-06", "kind": ClosureKind.OTHER, "note": "Polling day"},
        follow=True,
    )
    closure_day = SchoolClosureDay.objects.get(school=school)
    assert (closure_day.date, closure_day.kind, closure_day.note) == (
        date(2027, 5, 6),
        ClosureKind.OTHER,
        "Polling day",
    )
    assert "Polling day" in response.content.decode()


def test_an_overlapping_term_is_refused_and_what_was_typed_is_kept(
    verified_client, dsl, year
):
    response = verified_client(dsl).post(
        reverse("accounts_admin:school_calendar_term_add", args=[year.pk]),
        {"name": "Christmas week", "starts_on": "2026-12-14", "ends_on": "2026-12-23"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "These dates overlap Autumn 2 2026 (2 Nov 2026 to 18 Dec 2026)" in page
    assert 'value="Christmas week"' in page
    assert 'value="2026-12-14"' in page
    assert 'value="2026-12-23"' in page
    assert not SchoolTerm.objects.filter(name="Christmas week").exists()


def test_a_missing_date_is_refused_and_the_rest_is_kept(verified_client, dsl, school):
    response = verified_client(dsl).post(
        reverse("accounts_admin:school_calendar_closure_day_add", args=[school.pk]),
        {"date": "", "kind": ClosureKind.OTHER, "note": "Polling day"},
    )
    page = response.content.decode()
    assert "This field is required." in page
    assert 'value="Polling day"' in page
    assert not SchoolClosureDay.objects.exists()


def test_dsl_removes_a_term_after_confirming(verified_client, dsl, year):
    term = SchoolTerm.objects.get(school=year, name="Autumn 2 2026")
    url = reverse("accounts_admin:school_calendar_term_remove", args=[term.pk])
    client = verified_client(dsl)

    confirm = client.get(url)
    assert "Remove this term?" in confirm.content.decode()
    assert SchoolTerm.objects.filter(pk=term.pk).exists()

    response = client.post(url)
    assert response.url == calendar_url(year)
    assert not SchoolTerm.objects.filter(pk=term.pk).exists()
    assert SchoolTerm.objects.filter(school=year).count() == 2


def test_dsl_removes_a_closure_day_after_confirming(verified_client, dsl, year):
    inset = SchoolClosureDay.objects.get(school=year, date=date(2027, 1, 5))
    url = reverse("accounts_admin:school_calendar_closure_day_remove", args=[inset.pk])
    client = verified_client(dsl)
    assert "Remove this closure day?" in client.get(url).content.decode()
    client.post(url)
    assert not SchoolClosureDay.objects.filter(pk=inset.pk).exists()
    assert is_school_day(year, date(2027, 1, 5))


def test_removing_needs_the_forms_csrf_token(dsl, year, totp_device):
    client = Client(enforce_csrf_checks=True)
    client.force_login(dsl)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(dsl).persistent_id
    session.save()
    term = SchoolTerm.objects.filter(school=year).first()
    response = client.post(
        reverse("accounts_admin:school_calendar_term_remove", args=[term.pk])
    )
    assert response.status_code == 403
    assert "403_csrf.html" in [template.name for template in response.templates]
    assert SchoolTerm.objects.filter(pk=term.pk).exists()


def test_a_head_of_two_schools_chooses_between_them_only(
    verified_client, make_member, school, other_school, year
):
    third = SchoolFactory(name="Not Theirs Primary (test)")
    head = make_member(Role.HEAD)
    membership_grant(user=head, school=other_school, role=Role.HEAD)
    membership_grant(user=head, school=third, role=Role.STAFF)
    client = verified_client(head)
    page = client.get(reverse("accounts_admin:school_calendar")).content.decode()
    assert school.name in page and other_school.name in page
    assert third.name not in page
    assert client.get(calendar_url(other_school)).status_code == 200
    assert client.get(calendar_url(third)).status_code == 404


def every_calendar_request(school):
    term = school.school_terms.first()
    closure_day = school.closure_days.first()
    return [
        ("get", reverse("accounts_admin:school_calendar"), {}),
        ("get", calendar_url(school), {}),
        (
            "post",
            reverse("accounts_admin:school_calendar_term_add", args=[school.pk]),
            {"name": "Sneaky", "starts_on": "2027-06-07", "ends_on": "2027-07-21"},
        ),
        (
            "post",
            reverse("accounts_admin:school_calendar_closure_day_add", args=[school.pk]),
            {"date": "2027-05-06", "kind": ClosureKind.OTHER},
        ),
        (
            "get",
            reverse("accounts_admin:school_calendar_term_remove", args=[term.pk]),
            {},
        ),
        (
            "post",
            reverse("accounts_admin:school_calendar_term_remove", args=[term.pk]),
            {},
        ),
        (
            "post",
            reverse(
                "accounts_admin:school_calendar_closure_day_remove",
                args=[closure_day.pk],
            ),
            {},
        ),
    ]


@pytest.mark.parametrize(
    "role, at_other_school",
    [
        (Role.STAFF, False),
        (Role.CONFIGURATOR, False),
        (Role.DSL, True),
        (Role.DEPUTY_DSL, True),
        (Role.HEAD, True),
    ],
)
def test_everyone_else_is_refused(
    verified_client, make_member, year, other_school, role, at_other_school
):
    user = make_member(role, at=other_school if at_other_school else year)
    client = verified_client(user)
    before = (SchoolTerm.objects.count(), SchoolClosureDay.objects.count())
    statuses = {
        url: getattr(client, method)(url, data).status_code
        for method, url, data in every_calendar_request(year)
    }
    index = statuses.pop(reverse("accounts_admin:school_calendar"))
    assert set(statuses.values()) == {404}
    assert before == (SchoolTerm.objects.count(), SchoolClosureDay.objects.count())
    if at_other_school:  # straight to their own school's calendar
        assert client.get(
            reverse("accounts_admin:school_calendar")
        ).url == calendar_url(other_school)
    else:
        assert index == 404


@pytest.mark.parametrize("role", [Role.STAFF, Role.CONFIGURATOR])
def test_the_menu_offers_the_calendar_only_to_those_who_keep_it(
    verified_client, make_member, role
):
    page = verified_client(make_member(role)).get("/admin/").content.decode()
    assert reverse("accounts_admin:school_calendar") not in page
