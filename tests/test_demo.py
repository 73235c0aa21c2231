"""`manage.py demo`: synthetic data, one user per role, safe to run again."""

import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.calendar import add_school_days, add_working_days
from accounts.models import Membership, Role, School, SchoolClosureDay, SchoolTerm, User
from demo.calendar import current_start, school_year
from records.models import Pupil


def run_demo(*args):
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_creates_a_trust_of_two_schools_with_every_role():
    run_demo()
    assert School.objects.filter(trust__isnull=False).count() == 2
    held = set(Membership.objects.values_list("role", flat=True))
    assert held == {role.value for role in Role}
    assert Pupil.objects.count() == 48
    assert all(
        email.endswith(".invalid")
        for email in User.objects.values_list("email", flat=True)
    )


@pytest.mark.django_db
def test_running_demo_again_changes_nothing_and_prints_the_same_logins():
    first = run_demo()
    counts = (User.objects.count(), Pupil.objects.count(), Membership.objects.count())
    second = run_demo()
    assert first == second
    assert counts == (
        User.objects.count(),
        Pupil.objects.count(),
        Membership.objects.count(),
    )


@pytest.mark.django_db
def test_demo_schools_have_this_school_year_and_the_last_once():
    run_demo()
    run_demo()
    start = current_start(timezone.localdate())
    for school in School.objects.filter(trust__isnull=False):
        names = list(school.school_terms.values_list("name", flat=True))
        assert f"Autumn 1 {start}" in names and f"Summer 2 {start}" in names
        assert f"Autumn 1 {start - 1}" in names and len(names) == 12
        assert school.closure_days.count() == 18
    assert SchoolTerm.objects.count() == 24
    assert SchoolClosureDay.objects.count() == 36


def test_the_demo_year_is_a_typical_england_school_year():
    """2026/27 as a local authority might publish it; and every year's terms are
    in order, on weekdays, with the bank holidays on weekdays too."""
    terms, closures = school_year(2026)
    assert [(name, first, last) for name, first, last in terms] == [
        ("Autumn 1 2026", date(2026, 9, 2), date(2026, 10, 23)),
        ("Autumn 2 2026", date(2026, 11, 2), date(2026, 12, 18)),
        ("Spring 1 2027", date(2027, 1, 5), date(2027, 2, 12)),
        ("Spring 2 2027", date(2027, 2, 22), date(2027, 3, 26)),
        ("Summer 1 2027", date(2027, 4, 12), date(2027, 5, 28)),
        ("Summer 2 2027", date(2027, 6, 7), date(2027, 7, 21)),
    ]
    assert (date(2026, 12, 28), "Boxing Day (substitute day)") in [
        (day, note) for day, _kind, note in closures
    ]
    for start in range(2026, 2060):
        terms, closures = school_year(start)
        days = [day for _name, first, last in terms for day in (first, last)]
        assert days == sorted(days), start
        assert all(day.weekday() < 5 for day in days), start
        assert all(day.weekday() < 5 for day, _kind, _note in closures), start
        assert len({day for day, _kind, _note in closures}) == 9, start


@pytest.mark.django_db
def test_demo_calendar_moves_deadlines_over_holidays():
    run_demo()
    oakfield = School.objects.get(urn="990001")
    start = current_start(timezone.localdate())
    terms, _closures = school_year(start)
    (_a1, _first, autumn_ends), (_a2, autumn_2_starts, _last) = terms[:2]
    # October half term, then Christmas with its bank holidays.
    assert add_school_days(oakfield, autumn_ends, 1) == autumn_2_starts
    after_christmas = add_working_days(oakfield, date(start, 12, 24), 1)
    assert after_christmas > date(start, 12, 26)


@pytest.mark.django_db
def test_printed_password_and_backup_code_sign_the_dsl_in(client):
    output = run_demo()
    password = re.search(r"password for every demo user: (\S+)", output).group(1)
    block = output.split("dsl.oakfield", 1)[1]
    code = re.search(r"backup codes \(each works once\): (\w+)", block).group(1)

    client.post(
        reverse("wagtailadmin_login"),
        {"username": "dsl.oakfield", "password": password},
    )
    user = User.objects.get(username="dsl.oakfield")
    backup = user.staticdevice_set.get()
    client.post(
        reverse("accounts:two_factor_verify"),
        {"device": backup.persistent_id, "code": code},
    )
    page = client.get("/admin/").content.decode()
    assert "Designated safeguarding lead" in page


@pytest.mark.django_db
def test_demo_without_2fa_leaves_enrolment_to_first_sign_in():
    output = run_demo("--without-2fa")
    assert "first sign-in shows enrolment" in output
    assert not User.objects.filter(totpdevice__isnull=False).exists()


@pytest.mark.django_db
@override_settings(CHRONICLE_ALLOW_DEMO_DATA=False)
def test_demo_refuses_where_demo_data_is_switched_off():
    with pytest.raises(CommandError, match="switched off"):
        run_demo()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_gives_the_oakfield_dsl_casework_at_every_step_once():
    from accounts.models import User
    from records.models import Concern, Transfer
    from workflows.selectors import my_tasks, team_queue

    run_demo()
    run_demo()
    dsl = User.objects.get(username="dsl.oakfield")
    assert Concern.objects.count() == 4
    queue = list(team_queue(dsl))
    # ...and a child leaving, whose file is waiting to be sent.
    assert [task.step for task in queue] == ["triage", "decide", "send_file"]
    assert queue[0].urgent  # the immediate-risk concern is at the top
    assert [task.step for task in my_tasks(dsl)] == ["follow_up"]
    assert Concern.objects.filter(status=Concern.Status.CLOSED).count() == 1
    assert Transfer.objects.get().other_school_name == (
        "Far View Secondary School (demo)"
    )


@pytest.mark.django_db
def test_demo_gives_one_child_a_file_with_history_once():
    from records.models import FileNote, KeyPerson, PupilFlag, PupilLink

    run_demo()
    run_demo()
    assert FileNote.objects.count() == 2
    assert PupilFlag.objects.get().flag_name == "Child in need (CIN)"
    assert KeyPerson.objects.get().role == "social_worker"
    assert PupilLink.objects.count() == 1
