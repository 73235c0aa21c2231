"""The audit log: who did what, chained so that tampering shows, and append-only."""

import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import db_guard
from audit.models import ChainedLogEntry

from ..factories import PASSWORD, PupilFactory

REFUSED = (DatabaseError, IntegrityError)


@pytest.fixture
def entries(school):
    PupilFactory.create_batch(3, school=school)
    return list(ChainedLogEntry.objects.order_by("pk"))


def run_verify():
    call_command("verify_audit_chain")


def test_every_change_is_logged_and_chained(entries):
    pupil_entries = [e for e in entries if e.content_type.model == "pupil"]
    assert len(pupil_entries) == 3
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.entry_hash
    run_verify()


def test_actor_and_address_are_recorded_for_a_change_made_in_a_request(client, staff):
    client.post(
        reverse("wagtailadmin_login"),
        {"username": staff.username, "password": PASSWORD},
    )
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=staff)
    code = f"{TOTP(device.bin_key).token():06d}"
    client.post(reverse("accounts:two_factor_setup"), {"code": code})

    entry = ChainedLogEntry.objects.get_for_object(device).latest("pk")
    assert entry.actor == staff
    assert entry.remote_addr == "127.0.0.1"
    assert entry.changes["confirmed"] == [False, True]
    assert "key" not in entry.changes
    run_verify()


def test_verify_reports_the_altered_entry(entries):
    victim = entries[1]
    db_guard.remove(connection)
    ChainedLogEntry.objects.filter(pk=victim.pk).update(object_repr="Someone else")

    with pytest.raises(
        CommandError, match=rf"entry #{victim.pk}: hash does not match its content"
    ):
        run_verify()


def test_verify_reports_the_entry_after_a_removed_one(entries):
    db_guard.remove(connection)
    ChainedLogEntry.objects.filter(pk=entries[1].pk).delete()

    with pytest.raises(
        CommandError, match=rf"entry #{entries[2].pk}: its predecessor is missing"
    ):
        run_verify()


def test_database_refuses_update_of_an_entry(entries):
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        ChainedLogEntry.objects.filter(pk=entries[0].pk).update(object_repr="x")
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {db_guard.TABLE} SET object_repr = 'x'"  # noqa: S608
            )
    entries[0].refresh_from_db()
    assert entries[0].object_repr != "x"


def test_database_refuses_delete_of_an_entry(entries):
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        ChainedLogEntry.objects.all().delete()
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {db_guard.TABLE}")  # noqa: S608
    assert ChainedLogEntry.objects.count() == len(entries)


def test_the_model_refuses_to_change_a_saved_entry(entries):
    entry = entries[0]
    entry.object_repr = "changed"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


def test_forwarded_headers_from_the_browser_are_not_trusted(client, staff):
    client.post(
        reverse("wagtailadmin_login"),
        {"username": staff.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        HTTP_X_FORWARDED_PORT="-1",
        HTTP_X_CORRELATION_ID="x" * 1000,
    )
    response = client.get(
        reverse("accounts:two_factor_setup"),
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        HTTP_X_FORWARDED_PORT="-1",
        HTTP_X_CORRELATION_ID="x" * 1000,
    )

    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=staff)
    entry = ChainedLogEntry.objects.get_for_object(device).get()
    assert (entry.remote_addr, entry.remote_port, entry.cid) == (
        "127.0.0.1",
        None,
        None,
    )


def test_a_user_who_acted_can_still_be_removed(staff):
    from auditlog.context import set_actor

    with set_actor(staff):
        PupilFactory()
    entry = ChainedLogEntry.objects.filter(actor_id=staff.pk).latest("pk")
    staff_id, staff_email = staff.pk, staff.email
    staff.delete()

    assert not type(staff).objects.filter(pk=staff_id).exists()
    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_email) == (staff_id, staff_email)
    run_verify()
