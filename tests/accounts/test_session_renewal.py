"""The second factor renews the session key: the key a browser held after the
password alone never becomes a fully signed-in session."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from .test_two_factor import HOME, SETUP, VERIFY, current_code, enrolled, sign_in

pytestmark = pytest.mark.django_db
__all__ = ["enrolled"]  # the fixture, imported for these tests


def _client_holding(key):
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = key
    return other


def test_verifying_a_code_renews_the_session_key(client, enrolled):
    staff, device, _codes = enrolled
    sign_in(client, staff)
    before = client.session.session_key

    response = client.post(
        VERIFY, {"device": device.persistent_id, "code": current_code(device)}
    )

    assert response.status_code == 302
    after = client.session.session_key
    assert after != before
    assert client.get(HOME).status_code == 200
    stale = _client_holding(before).get(HOME)
    assert stale.status_code == 302
    assert stale.url.startswith(reverse("wagtailadmin_login"))


def test_enrolling_renews_the_session_key(client, staff):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    sign_in(client, staff)
    before = client.session.session_key
    device = TOTPDevice.objects.get(user=staff, confirmed=False)

    response = client.post(SETUP, {"code": current_code(device)})

    assert response.status_code == 302
    assert client.session.session_key != before
    stale = _client_holding(before).get(HOME)
    assert stale.status_code == 302
    assert stale.url.startswith(reverse("wagtailadmin_login"))
