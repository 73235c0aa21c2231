"""Bad requests get a clear Chronicle page, never a server error."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from .factories import PASSWORD


def test_unknown_address_gets_a_plain_not_found_page(verified_client, staff):
    response = verified_client(staff).get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_post_without_csrf_token_explains_and_signs_nobody_in(staff):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("wagtailadmin_login"),
        {"username": staff.username, "password": PASSWORD},
    )
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_expired_session_asks_to_sign_in_again(verified_client, staff):
    client = verified_client(staff)
    assert client.get("/admin/").status_code == 200
    session = client.session
    session.set_expiry(timezone.now() - timedelta(seconds=1))
    session.save()

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))


HUGE = "9" * 25


def test_ids_no_database_could_hold_are_refused_not_a_server_error(
    verified_client, dsl, staff, pupil
):
    """Every chooser that looks rows up by id: a 25-digit id is a bad choice."""
    client = verified_client(dsl)
    for url in [
        f"/admin/casework/team-queue/?school={HUGE}&category={HUGE}",
        f"/admin/casework/my-tasks/?assignee={HUGE}",
        f"/admin/files/{pupil.pk}/?category={HUGE}",
        f"/admin/casework/settings/?school={HUGE}",
    ]:
        assert client.get(url).status_code == 200, url
    response = client.post(f"/admin/files/{pupil.pk}/links/add/", {"other": HUGE})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
