"""Bank holidays from data: each school's calendar filled with its region's bank
holidays, re-runnable, never overwriting what the DSL entered."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from accounts.bank_holidays import bank_holidays_fill
from accounts.calendar import add_working_days
from accounts.models import BankHolidayRegion, ClosureKind, Role, SchoolClosureDay
from accounts.services import school_closure_day_add

from ..factories import SchoolFactory


def days_of(school):
    return dict(
        SchoolClosureDay.objects.filter(school=school).values_list("date", "note")
    )


@pytest.mark.parametrize(
    ("region", "only_here", "not_here"),
    [
        (
            BankHolidayRegion.ENGLAND_AND_WALES,
            date(2027, 3, 29),  # Easter Monday
            date(2027, 1, 4),  # Scotland's 2 January, moved to a Monday
        ),
        (
            BankHolidayRegion.SCOTLAND,
            date(2027, 1, 4),
            date(2027, 3, 29),
        ),
        (
            BankHolidayRegion.NORTHERN_IRELAND,
            date(2027, 3, 17),  # St Patrick's Day
            date(2027, 1, 4),
        ),
    ],
)
def test_each_region_gets_its_own_bank_holidays(db, region, only_here, not_here):
    school = SchoolFactory(region=region)

    bank_holidays_fill(school=school, years=[2027], user=None)

    days = days_of(school)
    assert only_here in days
    assert not_here not in days
    assert date(2027, 12, 27) in days  # Christmas on a Saturday: the Monday
    assert all(day.weekday() < 5 for day in days)
    kinds = SchoolClosureDay.objects.filter(school=school).values_list("kind")
    assert set(kinds) == {(ClosureKind.BANK_HOLIDAY,)}


def test_the_default_region_is_england_and_wales(db):
    assert SchoolFactory().region == BankHolidayRegion.ENGLAND_AND_WALES


def test_filling_again_adds_nothing_and_keeps_what_the_dsl_entered(school, dsl):
    school_closure_day_add(
        school=school,
        date=date(2027, 5, 3),  # the early May bank holiday, kept as INSET
        kind=ClosureKind.INSET,
        note="INSET: safeguarding training",
        user=dsl,
    )

    first = bank_holidays_fill(school=school, years=[2027], user=dsl)
    again = bank_holidays_fill(school=school, years=[2027], user=dsl)

    assert first.kept == [date(2027, 5, 3)]
    assert len(first.added) == 7  # 8 weekdays in England in 2027, one kept
    assert again.added == []
    assert SchoolClosureDay.objects.filter(school=school).count() == 8
    kept = SchoolClosureDay.objects.get(school=school, date=date(2027, 5, 3))
    assert (kept.kind, kept.note) == (ClosureKind.INSET, "INSET: safeguarding training")


def test_bank_holidays_filled_in_move_agency_deadlines(school):
    bank_holidays_fill(school=school, years=[2027], user=None)

    # Thursday before Easter: Good Friday and Easter Monday are not working days.
    assert add_working_days(school, date(2027, 3, 25), 1) == date(2027, 3, 30)


@pytest.mark.parametrize("role", [Role.STAFF, Role.CONFIGURATOR])
def test_only_those_who_keep_the_calendar_may_fill_it(school, make_member, role):
    with pytest.raises(PermissionDenied):
        bank_holidays_fill(school=school, years=[2027], user=make_member(role))
    assert not SchoolClosureDay.objects.exists()


def test_the_command_fills_every_school_by_its_region(db):
    england = SchoolFactory()
    scotland = SchoolFactory(region=BankHolidayRegion.SCOTLAND)

    call_command("bank_holidays_fill", "--year", "2027")
    call_command("bank_holidays_fill", "--year", "2027")

    assert date(2027, 3, 29) in days_of(england)
    assert date(2027, 8, 2) in days_of(scotland)  # Scotland's summer holiday
    assert SchoolClosureDay.objects.filter(school=england).count() == 8


def test_the_dsl_fills_the_year_from_the_calendar_page(school, dsl, verified_client):
    client = verified_client(dsl)
    url = f"/admin/school-calendar/{school.pk}/"
    assert "data-bank-holidays-form" in client.get(url).content.decode()

    response = client.post(
        url, {"region": BankHolidayRegion.SCOTLAND, "year": "2027"}, follow=True
    )

    school.refresh_from_db()
    assert school.region == BankHolidayRegion.SCOTLAND
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Scotland bank holidays for 2027: 9 added, 0 already in the calendar and "
        "left as they were."
    ]
    assert "Summer Bank Holiday" in response.content.decode()


def test_someone_who_does_not_keep_the_calendar_cannot_post_it(
    school, make_member, verified_client
):
    client = verified_client(make_member(Role.STAFF))

    response = client.post(
        f"/admin/school-calendar/{school.pk}/", {"region": "scotland", "year": "2027"}
    )

    assert response.status_code == 404
    assert not SchoolClosureDay.objects.exists()
