"""A signed-in user changes their email on the account page only with their
current password: reset links go there, so a borrowed session must not move it."""

import pytest
from django.test import Client
from django.urls import reverse

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("wagtailadmin_account")
NEW = "taken-over@example.org"


def account_page_data(client):
    """What the account page would send back unchanged: every panel's fields."""
    response = client.get(ACCOUNT)
    assert response.status_code == 200
    data = {}
    for panels in response.context["panels_by_tab"].values():
        for panel in panels:
            form = panel.get_form()
            for name in form.fields:
                value = form[name].value()
                if value not in (None, ""):
                    data[form.add_prefix(name)] = value
    return data


def post_email(client, email, **extra):
    data = account_page_data(client)
    email_fields = [key for key in data if key.endswith("-email")]
    assert email_fields, "the account page has no email field"
    data.update(dict.fromkeys(email_fields, email), **extra)
    return client.post(ACCOUNT, data)


def _events(user, event):
    from auditlog import get_logentry_model

    return get_logentry_model().objects.filter(
        object_pk=str(user.pk), additional_data__event=event
    )


def test_email_cannot_be_changed_without_the_password(verified_client, staff):
    before = staff.email
    response = post_email(verified_client(staff), NEW)

    assert response.status_code == 200
    assert "Enter your current password to change your email" in (
        response.content.decode()
    )
    staff.refresh_from_db()
    assert staff.email == before
    assert not _events(staff, "email changed").exists()


def test_a_wrong_password_does_not_change_the_email(verified_client, staff):
    before = staff.email
    response = post_email(
        verified_client(staff), NEW, **{"email-current_password": "guess"}
    )
    assert response.status_code == 200
    staff.refresh_from_db()
    assert staff.email == before


def test_the_current_password_changes_the_email_and_is_audited(verified_client, staff):
    response = post_email(
        verified_client(staff), NEW, **{"email-current_password": PASSWORD}
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.email == NEW
    assert _events(staff, "email changed").exists()


def test_the_name_still_changes_without_the_password(verified_client, staff):
    client = verified_client(staff)
    data = account_page_data(client)
    data["name_email-first_name"] = "Renamed"
    response = client.post(ACCOUNT, data)
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.first_name == "Renamed"


def test_wrong_passwords_on_the_email_form_lock_the_account_like_sign_in(
    verified_client, staff, settings
):
    """A borrowed session must not be a way to guess the password without limit."""
    client = verified_client(staff)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        post_email(client, NEW, **{"email-current_password": "guess"})

    # The right password on the email form is now refused too ...
    response = post_email(client, NEW, **{"email-current_password": PASSWORD})
    assert response.status_code == 429
    staff.refresh_from_db()
    assert staff.email != NEW
    # ... and so is signing in from this address, as after wrong sign-ins.
    signin = Client().post(
        reverse("wagtailadmin_login"),
        {"username": staff.username, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
    )
    assert signin.status_code == 429
    assert "Sign-in paused for this account" in signin.content.decode()
