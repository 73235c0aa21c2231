"""Roll sync: a school's service token pushes the roll (POST /api/v1/roll) with the
same dry run and import as the admin page, and opens nothing else."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from api.models import Scope, ServiceToken
from api.roll_sync.services import service_token_create, service_token_revoke
from audit.models import ChainedLogEntry
from records.models import Pupil

from ..records.test_roll_formats import BRAM, DEV, ESME

API = "/api/v1"
FIXTURES = Path(__file__).parents[1] / "records" / "ctf"


@pytest.fixture
def school(school):
    school.dfe_number = "8232000"
    school.save()
    return school


@pytest.fixture
def roll_token(school, dsl):
    _token, secret = service_token_create(
        school=school, user=dsl, name="Arbor nightly", days=30
    )
    return secret


def push(client, secret, fixture, **fields):
    data = {
        "file": SimpleUploadedFile(fixture, (FIXTURES / fixture).read_bytes()),
        **{name: "true" for name, on in fields.items() if on},
    }
    return client.post(
        f"{API}/roll", data, headers={"Authorization": f"Bearer {secret}"}
    )


def test_a_dry_run_shows_the_changes_and_writes_nothing(client, school, roll_token):
    response = push(client, roll_token, "new_roll.xml")

    assert response.status_code == 200
    body = response.json()
    assert body["applied"] is False
    assert body["format"] == "ctf"
    assert body["counts"]["new"] == 4
    assert {row["status"] for row in body["rows"]} == {"new"}
    assert not Pupil.objects.exists()


def test_apply_imports_and_the_same_file_again_changes_nothing(
    client, school, roll_token
):
    first = push(client, roll_token, "new_roll.xml", apply=True, whole_roll=True)
    assert first.json()["applied"] is True
    assert Pupil.objects.filter(school=school).count() == 4

    again = push(client, roll_token, "new_roll.xml", apply=True, whole_roll=True)

    assert again.json()["counts"] == {
        "new": 0,
        "updated": 0,
        "unchanged": 4,
        "error": 0,
        "left": 0,
        "flags": 0,
    }
    assert again.json()["rows"] == []


def test_changes_and_leavers_are_pushed_the_same_way(client, school, roll_token):
    push(client, roll_token, "new_roll.xml", apply=True)

    body = push(client, roll_token, "changes.xml", apply=True, whole_roll=True).json()

    changed = {row["upn"]: row for row in body["rows"]}
    assert changed[BRAM]["changed"] == ["Legal surname"]
    assert changed[ESME]["status"] == "new"
    assert body["leavers"] == [DEV]
    assert Pupil.objects.get(upn=DEV).date_left == timezone.localdate()


def test_every_push_is_audited_under_the_token(client, school, roll_token):
    push(client, roll_token, "new_roll.xml")
    push(client, roll_token, "new_roll.xml", apply=True)

    events = [
        entry.additional_data
        for entry in ChainedLogEntry.objects.filter(object_pk=str(school.pk)).order_by(
            "pk"
        )
        if (entry.additional_data or {}).get("via") == "service_token"
    ]
    assert [e["event"] for e in events] == ["pupil_import_dry_run", "pupil_import"]
    assert {e["service_token"] for e in events} == {roll_token[4:16]}


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("other_school.xml", "is a CTF for another school"),
        ("malformed.xml", "is not well-formed XML"),
    ],
)
def test_a_file_that_cant_be_used_is_refused_and_nothing_stored(
    client, school, roll_token, fixture, message
):
    response = push(client, roll_token, fixture, apply=True)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert message in response.json()["errors"]["file"][0]
    assert not Pupil.objects.exists()


def test_a_misspelt_part_is_refused_by_name_not_taken_as_a_dry_run(
    client, school, roll_token
):
    response = client.post(
        f"{API}/roll",
        {
            "file": SimpleUploadedFile(
                "r.xml", (FIXTURES / "new_roll.xml").read_bytes()
            ),
            "aply": "true",
        },
        headers={"Authorization": f"Bearer {roll_token}"},
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "aply": ["There is no field called “aply”: did you mean “apply”?"]
    }


# Deny by default: what a service token may not do, and who may not push


def test_a_service_token_opens_no_other_endpoint(client, school, roll_token):
    headers = {"Authorization": f"Bearer {roll_token}"}
    for path in ("/token", "/forms", "/pupils?q=Amber", "/tasks/counts", "/concerns"):
        assert client.get(f"{API}{path}", headers=headers).status_code == 401


def test_a_personal_token_cannot_push_the_roll(client, school, dsl, make_token):
    secret = make_token(dsl, scopes=(Scope.SUBMIT, Scope.TASKS))

    response = push(client, secret, "new_roll.xml", apply=True)

    assert response.status_code == 401
    assert not Pupil.objects.exists()


def test_a_revoked_or_expired_token_is_refused(client, school, dsl, roll_token):
    token = ServiceToken.objects.get()
    service_token_revoke(token=token, user=dsl)
    assert push(client, roll_token, "new_roll.xml").status_code == 401

    _token, other = service_token_create(school=school, user=dsl, name="x", days=1)
    ServiceToken.objects.filter(name="x").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = push(client, other, "new_roll.xml")
    assert response.status_code == 401
    assert response.json()["detail"] == "This service token has expired."


def test_a_token_pushes_only_its_own_schools_roll(
    client, school, other_school, make_member
):
    other_school.dfe_number = "8234001"
    other_school.save()
    other_dsl = make_member(Role.DSL, at=other_school)
    _token, secret = service_token_create(
        school=other_school, user=other_dsl, name="Far Hill", days=5
    )

    response = push(client, secret, "new_roll.xml", apply=True)  # for Brook Lane

    assert response.status_code == 422
    assert not Pupil.objects.exists()


@pytest.mark.parametrize("role", [Role.DEPUTY_DSL, Role.HEAD, Role.STAFF])
def test_only_the_schools_dsl_makes_or_revokes_tokens(
    school, dsl, make_member, role, roll_token
):
    someone = make_member(role)
    with pytest.raises(PermissionDenied):
        service_token_create(school=school, user=someone, name="x", days=5)
    with pytest.raises(PermissionDenied):
        service_token_revoke(token=ServiceToken.objects.get(), user=someone)


# The admin page


def test_the_dsl_makes_a_token_in_the_admin_sees_it_once_and_revokes_it(
    verified_client, school, dsl
):
    client = verified_client(dsl)
    url = f"/admin/service-tokens/{school.pk}/"

    made = client.post(url, {"name": "Arbor nightly", "days": "365"})

    page = made.content.decode()
    assert "data-token-secret>chs_" in page
    token = ServiceToken.objects.get()
    assert (token.school, token.created_by) == (school, dsl)
    assert ChainedLogEntry.objects.get_for_object(token).get().actor == dsl
    assert "data-token-secret" not in client.get(url).content.decode()

    client.post(f"/admin/service-tokens/revoke/{token.pk}/")
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("role", [Role.DEPUTY_DSL, Role.HEAD, Role.STAFF])
def test_other_roles_do_not_reach_the_token_page(
    verified_client, school, make_member, role
):
    client = verified_client(make_member(role))

    assert client.get(f"/admin/service-tokens/{school.pk}/").status_code == 404
    assert (
        client.post(
            f"/admin/service-tokens/{school.pk}/", {"name": "x", "days": "5"}
        ).status_code
        == 404
    )
    assert not ServiceToken.objects.exists()


def test_a_dsl_of_another_school_does_not_reach_it(
    verified_client, school, other_school, make_member
):
    client = verified_client(make_member(Role.DSL, at=other_school))

    assert client.get(f"/admin/service-tokens/{school.pk}/").status_code == 404
