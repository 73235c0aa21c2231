"""Found by the permission matrix and the bad-input tests (tests/security)."""

from django.urls import reverse

from accounts.models import Role


def test_starting_a_file_audit_is_refused_before_anything_else(
    make_member, verified_client
):
    for role in (Role.STAFF, Role.CONFIGURATOR):
        response = verified_client(make_member(role)).post(
            reverse("records_admin:file_audit_start"), {}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home"), role


def test_odd_digits_for_a_school_are_ignored(dsl, verified_client):
    response = verified_client(dsl).get(
        reverse("records_admin:file_audit_index"), {"school": "²"}
    )
    assert response.status_code == 200


def test_nul_in_a_search_is_dropped(dsl, pupil, verified_client):
    """PostgreSQL refuses NUL in a query; nobody means to type it."""
    client = verified_client(dsl)
    response = client.get(
        reverse("records_admin:file_list"), {"q": pupil.last_name + "\x00"}
    )
    assert response.status_code == 200
    assert pupil.last_name in response.content.decode()
    response = client.get(
        reverse("concern_forms:pupil_search"), {"q": pupil.last_name + "\x00"}
    )
    assert [r["id"] for r in response.json()["results"]] == [pupil.pk]
