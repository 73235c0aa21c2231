"""Account security: sign-in lockout, code throttling, session timeouts, signing out
everywhere on a password or two-factor reset, and the security headers."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.middleware import LAST_ACTIVITY, SIGNED_IN_AT
from api.models import ApiToken, Scope
from api.services import token_create
from audit.models import ChainedLogEntry

from ..factories import PASSWORD
from .test_two_factor import VERIFY, current_code

LOGIN = reverse("wagtailadmin_login")
HOME = "/admin/"


def events_of(user):
    return [
        entry.additional_data["event"]
        for entry in ChainedLogEntry.objects.get_for_object(user)
        .filter(action=ChainedLogEntry.Action.ACCESS)
        .order_by("pk")
    ]


def try_password(client, user, password, address="10.0.0.1"):
    return client.post(
        LOGIN,
        {"username": user.username, "password": password, "next": HOME},
        REMOTE_ADDR=address,
    )


# -- lockout ------------------------------------------------------------------------


def test_five_wrong_passwords_pause_sign_in_with_a_clear_page(client, staff, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = try_password(client, staff, "wrong password")
        assert response.status_code == 200  # the form again, with its error

    response = try_password(client, staff, "wrong password")

    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in paused for this account" in page
    assert "Try again in 15 minutes" in page
    assert "sign-in locked out" in events_of(staff)


def test_a_locked_out_user_cannot_sign_in_even_with_the_right_password(
    client, staff, settings
):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        try_password(client, staff, "wrong password")

    response = try_password(client, staff, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert events_of(staff)[-1] == "sign-in refused while locked out"


def test_a_lockout_from_one_address_does_not_lock_the_user_out_elsewhere(
    client, staff, settings
):
    """A stranger guessing at a colleague's password must not stop the colleague."""
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        try_password(client, staff, "wrong password", address="203.0.113.9")

    response = try_password(Client(), staff, PASSWORD, address="10.0.0.2")

    assert response.status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(client, staff, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        try_password(client, staff, "wrong password")
    assert try_password(client, staff, PASSWORD).status_code == 302
    client.logout()

    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = try_password(client, staff, "wrong password")

    assert response.status_code == 200


# -- two-factor throttling with the shipped settings -----------------------------


def test_wrong_codes_make_each_next_try_wait_longer(client, staff):
    """With the shipped OTP_TOTP_THROTTLE_FACTOR: 1 second after one wrong code, 2
    after two, 4 after three... so guessing six digits is hopeless."""
    device = TOTPDevice.objects.create(user=staff, name=two_factor.TOTP_DEVICE_NAME)
    try_password(client, staff, PASSWORD)
    client.post(VERIFY, {"device": device.persistent_id, "code": "000000"})

    right_too_soon = client.post(
        VERIFY, {"device": device.persistent_id, "code": current_code(device)}
    )
    assert "You can try again in 1 second." in right_too_soon.content.decode()
    time.sleep(1.1)
    wrong_again = client.post(VERIFY, {"device": device.persistent_id, "code": "1"})

    assert "You can try again in 2 seconds." in wrong_again.content.decode()
    assert client.get(HOME).url.startswith(VERIFY)


# -- session timeouts -------------------------------------------------------------


def age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_fifteen_minutes_without_activity_signs_out_with_a_message(
    verified_client, staff
):
    client = verified_client(staff)
    assert client.get(HOME).status_code == 200
    age_session(client, **{LAST_ACTIVITY: 15 * 60 + 5})

    response = client.get(HOME, follow=True)

    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert "You were signed out after 15 minutes without activity" in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session
    assert "session expired (idle)" in events_of(staff)


def test_activity_keeps_the_session_alive(verified_client, staff):
    client = verified_client(staff)
    client.get(HOME)
    age_session(client, **{LAST_ACTIVITY: 14 * 60})
    assert client.get(HOME).status_code == 200
    age_session(client, **{SIGNED_IN_AT: 14 * 60})  # the last request was just now

    assert client.get(HOME).status_code == 200


def test_the_idle_timeout_is_configurable(verified_client, staff, settings):
    settings.CHRONICLE_SESSION_IDLE_MINUTES = 5
    client = verified_client(staff)
    client.get(HOME)
    age_session(client, **{LAST_ACTIVITY: 5 * 60 + 5})

    response = client.get(HOME, follow=True)

    assert "signed out after 5 minutes without activity" in response.content.decode()


def test_the_admins_background_pings_do_not_keep_an_idle_session_alive(
    verified_client, staff
):
    """Wagtail's editor pings every few seconds while a page is open: that is not
    someone at the keyboard."""
    client = verified_client(staff)
    client.get(HOME)
    age_session(client, **{LAST_ACTIVITY: 10 * 60})
    before = client.session[LAST_ACTIVITY]
    ping = reverse(
        "wagtailadmin_editing_sessions:ping",
        args=["wagtailcore", "page", "1", 1],
    )

    client.post(ping)

    assert client.session[LAST_ACTIVITY] == before
    age_session(client, **{LAST_ACTIVITY: 15 * 60 + 5})
    response = client.post(ping)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_a_session_ends_after_its_absolute_lifetime_even_when_busy(
    verified_client, staff
):
    client = verified_client(staff)
    client.get(HOME)
    age_session(client, **{SIGNED_IN_AT: 8 * 3600 + 5, LAST_ACTIVITY: 10})

    response = client.get(HOME, follow=True)

    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert "signed in 8 hours ago" in response.content.decode()
    assert "session expired (lifetime)" in events_of(staff)


def test_signing_in_starts_the_lifetime_clock(client, staff):
    try_password(client, staff, PASSWORD)
    assert abs(client.session[SIGNED_IN_AT] - time.time()) < 5


# -- signing out everywhere -------------------------------------------------------


@pytest.fixture
def two_sessions(verified_client, staff):
    first = verified_client(staff)
    second = Client()  # the same user on another computer
    second.force_login(staff)
    session = second.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=staff).persistent_id
    session.save()
    assert first.get(HOME).status_code == 200
    assert second.get(HOME).status_code == 200
    return first, second


def signed_out(client):
    response = client.get(HOME)
    return response.status_code == 302 and response.url.startswith(LOGIN)


def test_a_new_password_signs_out_every_session_and_revokes_api_tokens(
    two_sessions, staff
):
    token, _raw = token_create(user=staff, name="Portal", scopes=[Scope.SUBMIT])

    staff.set_password("a brand new long password")
    staff.save()

    assert all(signed_out(client) for client in two_sessions)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "signed out everywhere" in events_of(staff)


def test_a_two_factor_reset_signs_out_every_session_and_revokes_api_tokens(
    two_sessions, staff, dsl, client
):
    _token, raw = token_create(user=staff, name="Portal", scopes=[Scope.SUBMIT])

    two_factor.two_factor_reset(user=staff, actor=dsl)

    assert all(signed_out(c) for c in two_sessions)
    assert not ApiToken.objects.filter(user=staff).usable().exists()
    api = client.get("/api/v1/token", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 401
    entry = (
        ChainedLogEntry.objects.get_for_object(staff)
        .filter(additional_data__event="signed out everywhere")
        .get()
    )
    assert entry.actor_id == dsl.pk
    assert entry.additional_data["api_tokens_revoked"] == 1


def test_a_token_older_than_a_reset_is_refused_even_if_not_marked_revoked(
    staff, client
):
    token, raw = token_create(user=staff, name="Portal", scopes=[Scope.SUBMIT])
    staff.credentials_reset_at = timezone.now()
    staff.save(update_fields=["credentials_reset_at"])
    assert token.revoked_at is None

    response = client.get("/api/v1/token", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 401
    assert "revoked" in response.content.decode()


# -- headers ---------------------------------------------------------------------


def test_pages_carry_a_content_security_policy_without_inline_scripts(client, db):
    response = client.get(LOGIN)

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy or policy.endswith("script-src 'self'")
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
