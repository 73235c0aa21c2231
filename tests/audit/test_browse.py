"""DSLs browse the audit log of their own schools: filter, per record, per person,
export (itself logged). Everyone else is refused; nothing from another school shows."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import ChainedLogEntry
from audit.services import record_access, security_event
from oversight.selectors import unplaceable_audited_models
from oversight.views import CappedPaginator

from ..factories import PupilFactory

LOG = reverse("oversight:audit_log")
EXPORT = reverse("oversight:audit_log_export")


def object_url(obj, name="oversight:audit_log_object"):
    content_type = ContentType.objects.get_for_model(obj)
    return reverse(name, args=[content_type.pk, obj.pk])


def rows(response):
    return response.content.decode()


def test_every_audited_model_can_be_placed_at_a_school():
    """A new audited model needs a line in audit.scopes.SCHOOL_SCOPES, or its
    entries are shown to no one."""
    assert unplaceable_audited_models() == []


def test_a_dsl_sees_their_schools_records_and_not_another_schools(
    verified_client, dsl, school, other_school
):
    ours = PupilFactory(school=school, first_name="Ourpupil")
    theirs = PupilFactory(school=other_school, first_name="Theirpupil")

    page = rows(verified_client(dsl).get(LOG))

    assert str(ours) in page
    assert str(theirs) not in page


def test_concerns_about_adults_are_not_shown_to_the_dsl(verified_client, dsl, submit):
    from records.models import Concern

    about_adult = submit(route=Concern.Route.HEAD)
    about_child = submit()

    page = rows(verified_client(dsl).get(LOG))

    assert f">Concern: {about_child}<" in page or str(about_child) in page
    assert object_url(about_adult) not in page
    assert verified_client(dsl).get(object_url(about_adult)).status_code == 404


def test_filter_by_action_actor_model_and_dates(verified_client, dsl, staff, school):
    pupil = PupilFactory(school=school)
    client = verified_client(dsl)
    from auditlog.context import set_actor

    with set_actor(staff):
        record_access(obj=pupil, event="file viewed")

    viewed = rows(client.get(LOG, {"action": "3", "actor": staff.pk}))
    assert "file viewed" in viewed
    assert "Created" not in viewed.split("data-audit-entries")[1]

    pupils_only = rows(client.get(LOG, {"model": "records.pupil"}))
    assert "Membership" not in pupils_only.split("data-audit-entries")[1]

    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    future = rows(client.get(LOG, {"date_from": tomorrow}))
    assert "No entries match." in future
    today = timezone.localdate().isoformat()
    assert "file viewed" in rows(
        client.get(LOG, {"date_from": today, "date_to": today, "action": "3"})
    )


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2026-05-02", "date_to": "2026-05-01"},
        {"date_from": "not a date"},
        {"action": "99"},
        {"actor": "999999"},
        {"model": "accounts.trust"},
        {"p": "-3"},
        {"date_from": "<script>alert(1)</script>"},
    ],
)
def test_bad_filters_get_a_message_not_an_error(verified_client, dsl, query):
    response = verified_client(dsl).get(LOG, query)

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in rows(response)


def test_a_record_has_its_own_history_page(verified_client, dsl, school, other_school):
    pupil = PupilFactory(school=school)
    record_access(obj=pupil, event="file viewed")
    client = verified_client(dsl)

    page = rows(client.get(object_url(pupil)))

    assert "History of" in page and "file viewed" in page
    elsewhere = PupilFactory(school=other_school)
    assert client.get(object_url(elsewhere)).status_code == 404


def test_a_person_has_their_own_page_with_what_they_did_and_what_happened_to_them(
    verified_client, dsl, staff, make_member, other_school
):
    security_event(user=staff, actor=staff, event="password accepted")
    client = verified_client(dsl)

    page = rows(client.get(reverse("oversight:audit_log_person", args=[staff.pk])))

    assert "password accepted" in page
    stranger = make_member(Role.STAFF, at=other_school)
    assert (
        client.get(
            reverse("oversight:audit_log_person", args=[stranger.pk])
        ).status_code
        == 404
    )


def test_the_export_is_a_csv_of_the_filtered_entries_and_is_itself_logged(
    verified_client, dsl, school
):
    pupil = PupilFactory(school=school, first_name="=HYPERLINK")
    record_access(obj=pupil, event="file viewed")
    client = verified_client(dsl)

    response = client.get(EXPORT, {"action": "3", "model": "records.pupil"})

    assert response["Content-Type"] == "text/csv"
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert table[0][:3] == ["entry", "time", "actor"]
    assert [row[8] for row in table[1:]] == ["file viewed"]
    assert table[1][7].startswith("'=HYPERLINK")  # no formula in a spreadsheet
    export = ChainedLogEntry.objects.get_for_object(dsl).get(
        additional_data__event="audit log exported"
    )
    assert export.actor_id == dsl.pk
    assert "action=3" in export.additional_data["filters"]


def test_the_page_runs_the_same_number_of_queries_for_any_number_of_entries(
    verified_client, dsl, school
):
    client = verified_client(dsl)
    client.get(LOG)  # warm caches (content types, menu)
    with CaptureQueriesContext(connection) as few:
        client.get(LOG)
    for _n in range(30):
        record_access(obj=PupilFactory(school=school), event="file viewed")
    with CaptureQueriesContext(connection) as many:
        client.get(LOG)

    assert len(many) == len(few)


URLS = [
    lambda **kw: LOG,
    lambda **kw: EXPORT,
    lambda pupil, **kw: object_url(pupil),
    lambda pupil, **kw: object_url(pupil, "oversight:audit_log_object_export"),
    lambda staff, **kw: reverse("oversight:audit_log_person", args=[staff.pk]),
    lambda staff, **kw: reverse("oversight:audit_log_person_export", args=[staff.pk]),
]


# Heads see their school's log too (tests/oversight).
@pytest.mark.parametrize("role", [Role.STAFF, Role.DEPUTY_DSL, Role.CONFIGURATOR])
@pytest.mark.parametrize("url", URLS)
def test_every_other_role_is_refused(
    verified_client, make_member, role, url, school, staff
):
    pupil = PupilFactory(school=school)
    record_access(obj=pupil, event="file viewed")
    client = verified_client(make_member(role))

    response = client.get(url(pupil=pupil, staff=staff))

    assert response.status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(LOG)
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response.url


def test_the_menu_shows_the_audit_log_to_dsls_only(verified_client, dsl, make_member):
    assert LOG in rows(verified_client(dsl).get("/admin/"))


def test_the_files_who_has_viewed_page_links_to_its_audit_history_for_dsls(
    verified_client, dsl, deputy, school
):
    pupil = PupilFactory(school=school)
    access = reverse("records_admin:file_access", args=[pupil.pk])

    dsl_page = rows(verified_client(dsl).get(access))
    assert object_url(pupil) in dsl_page
    follow = verified_client(dsl).get(object_url(pupil))
    assert follow.status_code == 200

    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    other = Client()
    other.force_login(deputy)
    session = other.session
    device = TOTPDevice.objects.create(user=deputy, name="app")
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    deputy_page = rows(other.get(access))
    assert "Who has viewed this file" in deputy_page
    assert "data-audit-history" not in deputy_page


def test_a_long_log_says_more_than_the_cap_and_dates_reach_older_entries(
    verified_client, dsl, school, monkeypatch
):
    """The pager counts at most CAP entries (counting a trust's whole log read the
    entire index on every page); beyond it the page says so."""
    monkeypatch.setattr(CappedPaginator, "CAP", 3)
    monkeypatch.setattr(CappedPaginator, "cap_label", "3")
    for number in range(3):
        PupilFactory(school=school, first_name=f"Pupil{number}")
    client = verified_client(dsl)

    page = rows(client.get(LOG))
    assert "More than 3 entries" in page
    assert "Pupil2" in page

    # Under the cap the count is exact again.
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    narrowed = rows(client.get(LOG, {"date_from": tomorrow}))
    assert "More than" not in narrowed and "0 entries" in narrowed
