"""The sign-in page offers no "Remember me": sessions end with the browser."""

import pytest
from django.urls import reverse

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("wagtailadmin_login")


def test_sign_in_page_has_no_remember_me(client):
    page = client.get(LOGIN).content.decode()

    assert 'name="password"' in page
    assert "Remember me" not in page
    assert 'name="remember"' not in page


def test_remember_posted_by_hand_still_ends_the_session_with_the_browser(client, staff):
    response = client.post(
        LOGIN,
        {"username": staff.username, "password": PASSWORD, "remember": "on"},
    )

    assert response.status_code == 302
    assert client.session.get_expire_at_browser_close()
