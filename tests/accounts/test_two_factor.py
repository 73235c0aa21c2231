"""Signing in: password, then enrolment (first time) or a code (every time)."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor

from ..factories import PASSWORD

HOME = "/admin/"
SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
BACKUP_CODES = reverse("accounts:two_factor_backup_codes")


def current_code(device):
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(client, user):
    response = client.post(
        reverse("wagtailadmin_login"),
        {"username": user.username, "password": PASSWORD, "next": HOME},
    )
    assert response.status_code == 302
    return client.get(response.url, follow=True)


@pytest.fixture
def enrolled(staff):
    device = TOTPDevice.objects.create(user=staff, name=two_factor.TOTP_DEVICE_NAME)
    codes = two_factor.backup_codes_regenerate(user=staff)
    return staff, device, codes


def test_first_sign_in_leads_to_enrolment_with_qr_code_and_secret(client, staff):
    response = sign_in(client, staff)

    assert response.redirect_chain[-1][0].startswith(SETUP)
    page = response.content.decode()
    assert "Set up two-factor authentication" in page
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert two_factor.totp_secret(device) in page


def test_enrolment_page_shows_the_same_secret_on_reload(client, staff):
    sign_in(client, staff)
    first = client.get(SETUP).content
    second = client.get(SETUP).content
    secret = re.search(rb"data-totp-secret>([A-Z2-7]+)<", first).group(1)
    assert secret in second
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_each_sign_in_session_gets_its_own_secret(client, staff):
    """Someone else with the password must not see the secret the user confirms."""
    from django.test import Client

    intruder = Client()
    sign_in(intruder, staff)
    intruder_page = intruder.get(SETUP).content
    sign_in(client, staff)
    client.get(SETUP)
    mine = TOTPDevice.objects.exclude(
        pk=intruder.session["chronicle_pending_totp_device"]
    ).get(user=staff)

    assert two_factor.totp_secret(mine).encode() not in intruder_page
    client.post(SETUP, {"code": current_code(mine)})
    assert list(TOTPDevice.objects.filter(user=staff)) == [mine]
    assert intruder.get(HOME).url.startswith(VERIFY)


def test_wrong_enrolment_code_is_refused_and_nothing_is_confirmed(client, staff):
    sign_in(client, staff)
    response = client.post(SETUP, {"code": "123456"})

    assert response.status_code == 200
    assert "That code is not valid" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    assert client.get(HOME).url.startswith(SETUP)


def test_enrolment_confirms_device_and_shows_ten_backup_codes_once(client, staff):
    sign_in(client, staff)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)

    response = client.post(SETUP, {"code": current_code(device), "next": HOME})

    assert response.url.startswith(BACKUP_CODES)
    page = client.get(response.url).content.decode()
    stored = set(StaticToken.objects.filter(device__user=staff).values_list("token"))
    shown = set(re.findall(r"<li><code>(\w+)</code></li>", page))
    assert len(shown) == 10
    assert shown == {token for (token,) in stored}
    again = client.get(BACKUP_CODES).content.decode()
    assert not any(code in again for code in shown)
    assert "10 unused backup codes" in again
    assert client.get(HOME).status_code == 200


def test_password_alone_cannot_add_a_device_to_an_enrolled_account(client, enrolled):
    user, _device, _codes = enrolled
    sign_in(client, user)

    response = client.get(SETUP)

    assert response.url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_code_from_the_app_opens_the_dashboard(client, enrolled):
    user, device, _codes = enrolled
    response = sign_in(client, user)
    assert response.redirect_chain[-1][0].startswith(VERIFY)

    response = client.post(
        VERIFY,
        {"device": device.persistent_id, "code": current_code(device), "next": HOME},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == HOME
    assert "Your roles" in response.content.decode()


def test_a_code_already_used_is_refused(client, enrolled):
    user, device, _codes = enrolled
    sign_in(client, user)
    code = current_code(device)
    client.post(VERIFY, {"device": device.persistent_id, "code": code})
    client.post(reverse("wagtailadmin_logout"))

    sign_in(client, user)
    response = client.post(VERIFY, {"device": device.persistent_id, "code": code})

    assert "That code is not valid" in response.content.decode()
    assert client.get(HOME).url.startswith(VERIFY)


def test_backup_code_signs_in_once_only(client, enrolled):
    user, _device, codes = enrolled
    backup = two_factor.verification_choices(user)[-1]
    sign_in(client, user)
    response = client.post(
        VERIFY, {"device": backup.persistent_id, "code": codes[0].upper()}
    )
    assert response.url == HOME
    client.post(reverse("wagtailadmin_logout"))

    sign_in(client, user)
    response = client.post(VERIFY, {"device": backup.persistent_id, "code": codes[0]})

    assert "That backup code is not valid" in response.content.decode()
    assert StaticToken.objects.filter(device__user=user).count() == 9


@override_settings(OTP_TOTP_THROTTLE_FACTOR=60)
def test_after_a_wrong_code_even_the_right_one_waits(client, enrolled):
    user, device, _codes = enrolled
    sign_in(client, user)
    client.post(VERIFY, {"device": device.persistent_id, "code": "000000"})

    response = client.post(
        VERIFY, {"device": device.persistent_id, "code": current_code(device)}
    )

    assert "You can try again in" in response.content.decode()
    assert client.get(HOME).url.startswith(VERIFY)


def test_empty_and_garbage_codes_get_a_message_not_an_error(client, enrolled):
    user, device, _codes = enrolled
    sign_in(client, user)
    for code in ["", "x" * 500, "<script>alert(1)</script>", "１２３４５６"]:
        response = client.post(VERIFY, {"device": device.persistent_id, "code": code})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_verification_never_redirects_off_site(client, enrolled):
    user, device, _codes = enrolled
    sign_in(client, user)
    response = client.post(
        VERIFY,
        {
            "device": device.persistent_id,
            "code": current_code(device),
            "next": "https://attacker.example/",
        },
    )
    assert response.url == HOME


def test_wrong_password_keeps_the_user_signed_out(client, enrolled):
    user, _device, _codes = enrolled
    response = client.post(
        reverse("wagtailadmin_login"),
        {"username": user.username, "password": "not-the-password"},
    )
    assert response.status_code == 200
    assert "Your username and password didn" in response.content.decode()
    assert client.get(HOME).url.startswith(reverse("wagtailadmin_login"))


def test_new_backup_codes_replace_the_old_ones(verified_client, enrolled):
    user, device, old_codes = enrolled
    client = verified_client(user)

    response = client.post(
        BACKUP_CODES,
        {"device": device.persistent_id, "code": current_code(device)},
        follow=True,
    )

    page = response.content.decode()
    assert not any(code in page for code in old_codes)
    tokens = StaticToken.objects.filter(device__user=user).values_list(
        "token", flat=True
    )
    assert all(token in page for token in tokens)
    assert set(tokens).isdisjoint(old_codes)


def test_new_backup_codes_need_a_code_first(verified_client, enrolled):
    user, device, old_codes = enrolled
    client = verified_client(user)

    response = client.post(
        BACKUP_CODES, {"device": device.persistent_id, "code": "000000"}
    )

    assert "That code is not valid" in response.content.decode()
    tokens = StaticToken.objects.filter(device__user=user).values_list(
        "token", flat=True
    )
    assert set(tokens) == set(old_codes)


def test_sign_in_steps_are_in_the_audit_log(client, enrolled):
    from audit.models import ChainedLogEntry

    user, device, _codes = enrolled
    client.post(
        reverse("wagtailadmin_login"), {"username": user.username, "password": "wrong"}
    )
    sign_in(client, user)
    client.post(VERIFY, {"device": device.persistent_id, "code": "000000"})

    events = [
        (entry.additional_data["event"], entry.actor_id)
        for entry in ChainedLogEntry.objects.get_for_object(user)
        .filter(action=ChainedLogEntry.Action.ACCESS)
        .order_by("pk")
    ]
    assert events == [
        ("backup codes replaced", None),
        ("password refused", None),
        ("password accepted", user.pk),
        ("two-factor code refused", user.pk),
    ]
