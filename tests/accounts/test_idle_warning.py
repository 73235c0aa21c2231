"""The warning before the idle sign-out (WCAG 2.2.1): every signed-in admin page
carries the script with the server's limit, and "Stay signed in" reaches a view
that counts as the person's activity."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.middleware import BACKGROUND_VIEWS, LAST_ACTIVITY

from .test_account_security import HOME, LOGIN, age_session

pytestmark = pytest.mark.django_db
KEEP_ALIVE = reverse("accounts:keep_alive")


def _script(page):
    tag = re.search(r"<script[^>]*data-chronicle-idle[^>]*>", page)
    assert tag, "no idle-warning script on the page"
    return dict(re.findall(r'(data-[\w-]+)="([^"]*)"', tag.group(0)))


def test_every_admin_page_carries_the_warning_with_the_servers_limit(
    verified_client, staff, settings
):
    settings.CHRONICLE_SESSION_IDLE_MINUTES = 20
    page = verified_client(staff).get(HOME).content.decode()

    script = _script(page)
    assert script["data-idle-seconds"] == "1200"
    assert script["data-warn-seconds"] == "120"
    assert script["data-keep-alive-url"] == KEEP_ALIVE
    assert script["data-message"] == (
        "You will be signed out in 2 minutes to protect children&#x27;s records."
    )
    assert (script["data-stay"], script["data-leave"]) == (
        "Stay signed in",
        "Sign out now",
    )
    assert 'src="/static/chronicle/idle-warning.js"' in page


def test_stay_signed_in_counts_as_activity(verified_client, staff):
    client = verified_client(staff)
    client.get(HOME)
    age_session(client, **{LAST_ACTIVITY: 13 * 60})
    before = client.session[LAST_ACTIVITY]

    response = client.post(KEEP_ALIVE)

    assert response.status_code == 204
    assert client.session[LAST_ACTIVITY] >= before + 13 * 60 - 1
    assert "accounts:keep_alive" not in BACKGROUND_VIEWS


def test_keep_alive_refuses_the_anonymous_and_the_already_signed_out(
    client, verified_client, staff, db
):
    assert Client().post(KEEP_ALIVE).status_code == 403

    signed_in = verified_client(staff)
    signed_in.get(HOME)
    age_session(signed_in, **{LAST_ACTIVITY: 15 * 60 + 5})
    response = signed_in.post(KEEP_ALIVE)
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert "_auth_user_id" not in signed_in.session


def test_keep_alive_takes_only_a_post_with_the_csrf_token(verified_client, staff):
    client = verified_client(staff)
    assert client.get(KEEP_ALIVE).status_code == 405

    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    assert strict.post(KEEP_ALIVE).status_code == 403
    strict.get(HOME)
    token = strict.cookies["csrftoken"].value
    assert strict.post(KEEP_ALIVE, HTTP_X_CSRFTOKEN=token).status_code == 204
