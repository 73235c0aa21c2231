"""Remembered devices: after password and code, staff may let a browser skip the
code (never the password) for the policy's days; revocable by the owner and by a
DSL; every grant, use, refusal and revocation audited."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import RememberedDevice, Role
from audit.models import ChainedLogEntry

from ..factories import PASSWORD
from .test_two_factor import current_code

HOME = "/admin/"
LOGIN = reverse("wagtailadmin_login")
VERIFY = reverse("accounts:two_factor_verify")
DEVICES = reverse("remembered_devices")
COOKIE = "chronicle_device"


@pytest.fixture
def person(staff):
    TOTPDevice.objects.create(user=staff, name=two_factor.TOTP_DEVICE_NAME)
    two_factor.backup_codes_regenerate(user=staff)
    return staff


def password(client, user, secret=PASSWORD):
    response = client.post(
        LOGIN, {"username": user.username, "password": secret, "next": HOME}
    )
    assert response.status_code == 302
    response = client.get(response.url)  # the gate sends them to the code step
    if response.status_code == 302 and response.url.startswith(VERIFY):
        response = client.get(response.url)
    return response


def code(client, user, remember):
    device = TOTPDevice.objects.get(user=user)
    data = {"device": device.persistent_id, "code": current_code(device), "next": HOME}
    if remember:
        data["remember"] = "on"
    return client.post(VERIFY, data)


def remembered_client(user):
    """A phone that signed in with password and code and ticked the box, then was
    signed out (the browser keeps the cookie)."""
    client = Client()
    password(client, user)
    response = code(client, user, remember=True)
    assert response.status_code == 302
    client.post(reverse("wagtailadmin_logout"))
    return client


def events(user):
    return [
        entry.additional_data["event"]
        for entry in ChainedLogEntry.objects.get_for_object(user).order_by("pk")
        if entry.additional_data
    ]


def test_the_box_is_offered_to_staff_after_the_password(client, person):
    page = password(client, person).content.decode()
    assert "Remember this device for 30 days" in page


def test_ticking_it_sets_a_secure_httponly_strict_cookie_and_stores_a_hash(
    client, person
):
    password(client, person)
    response = code(client, person, remember=True)

    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["max-age"] == 30 * 24 * 3600
    device = RememberedDevice.objects.get(user=person)
    assert cookie.value not in device.token_hash  # only the hash is kept
    assert len(device.token_hash) == 64
    assert "device remembered" in events(person)


def test_not_ticking_it_remembers_nothing(client, person):
    password(client, person)
    response = code(client, person, remember=False)
    assert COOKIE not in response.cookies
    assert not RememberedDevice.objects.exists()


def test_next_sign_in_on_that_device_asks_the_password_but_not_the_code(person):
    client = remembered_client(person)

    response = password(client, person)

    assert response.status_code == 302 and response.url == HOME
    assert client.get(HOME).status_code == 200
    assert "remembered device used" in events(person)
    assert RememberedDevice.objects.get(user=person).last_used_at is not None


def test_the_cookie_alone_does_not_sign_anyone_in(person):
    client = remembered_client(person)
    response = client.get(HOME)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_a_wrong_password_on_a_remembered_device_stays_signed_out(person):
    client = remembered_client(person)
    client.post(LOGIN, {"username": person.username, "password": "wrong"})
    assert client.get(HOME).url.startswith(LOGIN)


def test_someone_elses_cookie_does_not_skip_my_code(person, make_member):
    other = make_member(Role.STAFF)
    TOTPDevice.objects.create(user=other, name=two_factor.TOTP_DEVICE_NAME)
    client = remembered_client(person)  # the browser holds person's cookie

    response = password(client, other)

    assert response.status_code == 200
    assert "Enter your code" in response.content.decode()
    refused = ChainedLogEntry.objects.get_for_object(other).get(
        additional_data__event="remembered device refused"
    )
    assert refused.additional_data["reason"] == "another user's device"
    assert response.cookies[COOKIE].value == ""  # the browser drops it


def test_an_expired_device_asks_for_the_code_again(person):
    client = remembered_client(person)
    RememberedDevice.objects.filter(user=person).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert "Enter your code" in password(client, person).content.decode()


def test_a_shorter_policy_applies_to_devices_remembered_before_it(person, settings):
    client = remembered_client(person)
    RememberedDevice.objects.filter(user=person).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    settings.CHRONICLE_REMEMBER_DEVICE_DAYS = 7
    assert "Enter your code" in password(client, person).content.decode()


def test_policy_zero_turns_the_choice_off(client, person, settings):
    settings.CHRONICLE_REMEMBER_DEVICE_DAYS = 0
    assert "Remember this device" not in password(client, person).content.decode()


@pytest.mark.parametrize("role", [Role.DSL, Role.DEPUTY_DSL, Role.HEAD])
def test_dsls_deputies_and_heads_always_give_the_code(client, make_member, role):
    lead = make_member(role)
    TOTPDevice.objects.create(user=lead, name=two_factor.TOTP_DEVICE_NAME)
    page = password(client, lead).content.decode()
    assert "Remember this device" not in page
    code(client, lead, remember=True)  # posted by hand: ignored
    assert not RememberedDevice.objects.filter(user=lead).exists()


def test_staff_made_dsl_later_gives_the_code_on_the_remembered_device(person, school):
    client = remembered_client(person)
    person.memberships.create(school=school, role=Role.DSL)
    assert "Enter your code" in password(client, person).content.decode()


def test_the_owner_sees_and_forgets_a_device(person):
    client = remembered_client(person)
    password(client, person)
    listing = client.get(DEVICES).content.decode()
    assert "this device" in listing
    device = RememberedDevice.objects.get(user=person)

    response = client.post(reverse("remembered_device_forget", args=[device.pk]))

    assert response.cookies[COOKIE].value == ""
    device.refresh_from_db()
    assert device.revoked_at is not None and device.revoked_by == person
    assert "remembered device revoked" in events(person)
    client.post(reverse("wagtailadmin_logout"))
    assert "Enter your code" in password(client, person).content.decode()


def test_no_one_forgets_another_persons_device(person, make_member, verified_client):
    remembered_client(person)
    device = RememberedDevice.objects.get(user=person)
    other = make_member(Role.STAFF)
    client = verified_client(other)
    assert client.get(DEVICES).content.decode().count("data-remembered-devices") == 0
    response = client.post(reverse("remembered_device_forget", args=[device.pk]))
    assert response.status_code == 404
    device.refresh_from_db()
    assert device.revoked_at is None


def test_a_dsl_forgets_a_colleagues_devices(person, dsl, verified_client):
    remembered_client(person)
    client = verified_client(dsl)
    confirm = reverse("accounts_admin:two_factor_reset_confirm", args=[person.pk])
    assert "1 remembered device" in client.get(confirm).content.decode()

    client.post(reverse("two_factor_reset_forget_devices", args=[person.pk]))

    device = RememberedDevice.objects.get(user=person)
    assert device.revoked_by == dsl
    revoked = ChainedLogEntry.objects.get_for_object(person).get(
        additional_data__event="remembered devices revoked"
    )
    assert revoked.actor_id == dsl.pk


def test_staff_cannot_forget_a_colleagues_devices(person, make_member, verified_client):
    remembered_client(person)
    client = verified_client(make_member(Role.STAFF))
    response = client.post(reverse("two_factor_reset_forget_devices", args=[person.pk]))
    assert response.status_code == 404
    assert RememberedDevice.objects.get(user=person).revoked_at is None


def test_a_dsl_at_another_school_cannot_forget_them(
    person, make_member, other_school, verified_client
):
    remembered_client(person)
    client = verified_client(make_member(Role.DSL, at=other_school))
    response = client.post(reverse("two_factor_reset_forget_devices", args=[person.pk]))
    assert response.status_code == 404


def test_a_new_password_forgets_every_device(person):
    client = remembered_client(person)
    person.set_password("a new long passphrase 42")
    person.save()
    assert RememberedDevice.objects.get(user=person).revoked_at is not None
    response = password(client, person, "a new long passphrase 42")
    assert "Enter your code" in response.content.decode()


def test_a_two_factor_reset_forgets_every_device(person, dsl):
    remembered_client(person)
    two_factor.two_factor_reset(user=person, actor=dsl)
    assert RememberedDevice.objects.get(user=person).revoked_at is not None


def test_the_device_works_from_a_second_app_server(person):
    """Nothing is in process memory: a browser whose cookie was set through one
    client (server) is recognised by another reading the same database."""
    first = remembered_client(person)
    second = Client()
    second.cookies[COOKIE] = first.cookies[COOKIE].value
    response = password(second, person)
    assert response.status_code == 302 and response.url == HOME
