"""A DSL resets a colleague's two-factor at their school; everyone else is refused."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import Role
from audit.models import ChainedLogEntry

from ..factories import UserFactory

INDEX = reverse("accounts_admin:two_factor_reset")


def confirm_url(user):
    return reverse("accounts_admin:two_factor_reset_confirm", args=[user.pk])


@pytest.fixture
def enrolled_staff(staff):
    TOTPDevice.objects.create(user=staff, name=two_factor.TOTP_DEVICE_NAME)
    two_factor.backup_codes_regenerate(user=staff)
    return staff


def test_a_dsl_resets_a_colleagues_two_factor_and_it_is_logged(
    verified_client, dsl, enrolled_staff
):
    client = verified_client(dsl)
    listing = client.get(INDEX).content.decode()
    assert enrolled_staff.username in listing
    assert client.get(confirm_url(enrolled_staff)).status_code == 200

    response = client.post(confirm_url(enrolled_staff), follow=True)

    assert "Two-factor reset for" in response.content.decode()
    assert not two_factor.has_two_factor(enrolled_staff)
    removals = ChainedLogEntry.objects.filter(
        action=ChainedLogEntry.Action.DELETE, actor=dsl
    )
    assert removals.count() == 2  # the app and the backup codes
    reset = ChainedLogEntry.objects.get_for_object(enrolled_staff).get(
        additional_data__event="signed out everywhere"
    )
    assert reset.actor_id == dsl.pk
    assert reset.additional_data["reason"] == "two-factor reset by a DSL"


def test_a_get_changes_nothing(verified_client, dsl, enrolled_staff):
    verified_client(dsl).get(confirm_url(enrolled_staff))
    assert two_factor.has_two_factor(enrolled_staff)


def test_people_at_other_schools_are_not_listed_or_resettable(
    verified_client, dsl, make_member, other_school
):
    elsewhere = make_member(Role.STAFF, at=other_school)
    TOTPDevice.objects.create(user=elsewhere, name=two_factor.TOTP_DEVICE_NAME)
    client = verified_client(dsl)

    assert elsewhere.username not in client.get(INDEX).content.decode()
    assert client.post(confirm_url(elsewhere)).status_code == 404
    assert two_factor.has_two_factor(elsewhere)


def test_a_dsl_cannot_reset_themselves_or_a_system_administrator(
    verified_client, dsl, school
):
    from accounts.services import membership_grant

    admin = UserFactory(is_superuser=True)
    membership_grant(user=admin, school=school, role=Role.STAFF)
    client = verified_client(dsl)

    assert client.post(confirm_url(dsl)).status_code == 404
    assert client.post(confirm_url(admin)).status_code == 404


@pytest.mark.parametrize(
    "role", [Role.STAFF, Role.DEPUTY_DSL, Role.HEAD, Role.CONFIGURATOR]
)
def test_every_other_role_is_refused(verified_client, make_member, role, staff):
    client = verified_client(make_member(role))
    TOTPDevice.objects.create(user=staff, name=two_factor.TOTP_DEVICE_NAME)

    assert client.get(INDEX).status_code == 404
    assert client.get(confirm_url(staff)).status_code == 404
    assert client.post(confirm_url(staff)).status_code == 404
    assert two_factor.has_two_factor(staff)


def test_the_menu_shows_the_page_to_dsls_only(verified_client, dsl, make_member):
    assert INDEX in verified_client(dsl).get("/admin/").content.decode()
    other = make_member(Role.STAFF)
    from django.test import Client

    client = Client()
    client.force_login(other)
    session = client.session
    from django_otp import DEVICE_ID_SESSION_KEY

    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.create(
        user=other, name="app"
    ).persistent_id
    session.save()
    assert INDEX not in client.get("/admin/").content.decode()
