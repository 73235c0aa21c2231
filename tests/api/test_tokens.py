"""Personal API tokens: made only from a two-factor session, shown once, stored
hashed, scoped, expiring, revocable, every use recorded, rate limited."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.menu import admin_menu

from accounts.models import Role
from api.models import ApiToken, Scope
from api.services import token_create
from audit.models import ChainedLogEntry as LogEntry

from ..factories import UserFactory

TOKENS = "/admin/api-tokens/"


def events(user, event):
    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        object_pk=str(user.pk),
        additional_data__event=event,
    )


# -- storage ---------------------------------------------------------------------------


def test_a_token_is_stored_as_a_hash_and_expires_in_90_days_by_default(staff):
    token, secret = token_create(user=staff, name="Portal", scopes=[Scope.SUBMIT])

    row = ApiToken.objects.values().get()
    assert secret.startswith(f"chr_{token.prefix}_")
    assert len(secret) > 50
    assert secret not in str(row)
    assert row["secret_hash"] != secret and len(row["secret_hash"]) == 64
    assert token.expires_at - timezone.now() == pytest.approx(
        timedelta(days=90), abs=timedelta(minutes=1)
    )


@pytest.mark.parametrize("days", [0, 366])
def test_a_token_lasts_a_year_at_most(staff, days):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        token_create(user=staff, name="Portal", scopes=[Scope.SUBMIT], days=days)
    assert not ApiToken.objects.exists()


def test_a_token_needs_a_known_scope(staff):
    from django.core.exceptions import ValidationError

    for scopes in ([], ["everything"]):
        with pytest.raises(ValidationError):
            token_create(user=staff, name="Portal", scopes=scopes)


# -- authentication --------------------------------------------------------------------


def test_no_or_a_malformed_token_is_refused_with_json(api_client, staff, make_token):
    secret = make_token(staff)
    for presented in (None, "nonsense", secret[:-1] + "x", "chr_", secret.upper()):
        response = api_client(presented).get("/forms")
        assert response.status_code == 401, presented
        assert response.json()["detail"]
    assert api_client(secret).get("/forms").status_code == 200


def test_a_wrong_secret_under_a_real_prefix_is_logged_against_its_owner(
    api_client, staff, make_token
):
    secret = make_token(staff)
    forged = secret[: secret.rindex("_") + 1] + "A" * 43
    assert api_client(forged).get("/forms").status_code == 401
    refused = events(staff, "api_token_refused").get()
    assert refused.additional_data["reason"] == "wrong_secret"
    assert refused.actor is None  # whoever sent it hasn't shown they are staff


def test_an_expired_token_is_refused(api_client, staff, make_token):
    secret = make_token(staff)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api_client(secret).get("/forms")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    refused = events(staff, "api_token_refused").get()
    assert refused.additional_data["reason"] == "expired"
    assert refused.actor is None


def test_a_revoked_token_is_refused(api_client, staff, make_token):
    secret = make_token(staff)
    ApiToken.objects.update(revoked_at=timezone.now())
    response = api_client(secret).get("/forms")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_disabled_account_opens_nothing(api_client, staff, make_token):
    secret = make_token(staff)
    staff.is_active = False
    staff.save()
    assert api_client(secret).get("/forms").status_code == 401


def test_someone_who_lost_every_role_is_refused(api_client, staff, school, make_token):
    from accounts.services import membership_revoke

    secret = make_token(staff)
    membership_revoke(user=staff, school=school, role=Role.STAFF)
    response = api_client(secret).get("/forms")
    assert response.status_code == 403
    assert response.json()["detail"] == "You have no role at any school."


def test_a_session_does_not_open_the_api(verified_client, staff):
    response = verified_client(staff).get("/api/v1/forms")
    assert response.status_code == 401


# -- scopes ----------------------------------------------------------------------------


def test_a_submit_token_cannot_read_task_counts(api_client, dsl, make_token):
    client = api_client(make_token(dsl, [Scope.SUBMIT]))
    assert client.get("/forms").status_code == 200
    response = client.get("/tasks/counts")
    assert response.status_code == 403
    assert "may not be used" in response.json()["detail"]


def test_a_tasks_token_cannot_report_or_look_up_pupils(
    api_client, dsl, make_token, form_page
):
    client = api_client(make_token(dsl, [Scope.TASKS]))
    assert client.get("/tasks/counts").status_code == 200
    for path in ("/forms", f"/forms/{form_page.pk}", "/pupils?q=ab", "/concerns"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/forms/{form_page.pk}/concerns", {}).status_code == 403


def test_every_token_can_say_what_it_is(api_client, staff, school, make_token):
    body = api_client(make_token(staff, [Scope.TASKS])).get("/token").json()
    assert body["scopes"] == ["tasks"]
    assert body["schools"] == [{"id": school.pk, "name": school.name}]


# -- use is recorded -------------------------------------------------------------------


def test_calls_that_read_pupils_are_in_the_audit_log_and_the_last_use_is_kept(
    api_client, staff, make_token
):
    client = api_client(make_token(staff))
    client.get("/forms")  # no child's record: the request log only
    client.get("/pupils", {"q": "Smith"})

    calls = events(staff, "api_request").order_by("pk")
    assert [c.additional_data["path"] for c in calls] == [
        "/api/v1/pupils",  # what was searched for is not kept in the log
    ]
    assert {c.actor_id for c in calls} == {staff.pk}
    assert ApiToken.objects.get().last_used_at is not None


def test_changes_made_through_the_api_name_the_tokens_user(
    as_user, staff, form_page, answers
):
    from records.models import Concern

    from .conftest import payload

    as_user(staff).post(f"/forms/{form_page.pk}/concerns", payload(answers))
    concern = Concern.objects.get()
    created = LogEntry.objects.get_for_object(concern).get(
        action=LogEntry.Action.CREATE
    )
    assert created.actor == staff


# -- rate limit ------------------------------------------------------------------------


def test_too_many_calls_get_429_until_the_window_passes(
    api_client, staff, make_token, settings, monkeypatch
):
    from api.auth import TokenRateThrottle

    settings.CHRONICLE_API_RATE = "3/min"
    monkeypatch.setattr(TokenRateThrottle, "timer", staticmethod(lambda: 6000.0))
    busy, other = api_client(make_token(staff)), api_client(make_token(staff))

    codes = [busy.get("/token").status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]
    refused = busy.get("/token")
    assert {"detail": "Too many requests.", "errors": {}}.items() <= (
        refused.json().items()
    )
    assert refused["Retry-After"] == "60"
    assert other.get("/token").status_code == 200
    monkeypatch.setattr(TokenRateThrottle, "timer", staticmethod(lambda: 6060.0))
    assert busy.get("/token").status_code == 200


# -- the admin pages -------------------------------------------------------------------


def test_tokens_are_made_in_the_admin_and_shown_once(verified_client, staff):
    client = verified_client(staff)
    response = client.post(
        TOKENS, {"name": "School portal", "scopes": ["submit"], "days": "30"}
    )

    page = response.content.decode()
    token = ApiToken.objects.get()
    assert token.user == staff and token.scopes == ["submit"]
    assert token.expires_at.date() == (timezone.now() + timedelta(days=30)).date()
    secret = page.split("data-token-secret>")[1].split("<")[0]
    assert secret.startswith(f"chr_{token.prefix}_")
    assert response["Cache-Control"].startswith("max-age=0")
    assert secret not in client.get(TOKENS).content.decode()
    created = LogEntry.objects.get_for_object(token).get()
    assert created.actor == staff
    assert "secret_hash" not in created.changes_dict


def test_the_admin_refuses_a_token_for_too_long(verified_client, staff):
    response = verified_client(staff).post(
        TOKENS, {"name": "Portal", "scopes": ["submit"], "days": "400"}
    )
    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_tokens_are_only_made_from_a_two_factor_session(client, staff):
    client.force_login(staff)  # password only: not verified
    response = client.post(TOKENS, {"name": "Portal", "scopes": ["submit"]})
    assert response.status_code == 302
    assert response.url.startswith("/account/two-factor/")
    assert not ApiToken.objects.exists()


def test_someone_without_a_role_can_make_no_token(verified_client):
    client = verified_client(UserFactory())
    client.post(TOKENS, {"name": "Portal", "scopes": ["submit"], "days": "30"})
    assert not ApiToken.objects.exists()


def test_people_see_and_revoke_only_their_own_tokens(
    verified_client, staff, dsl, make_token, api_client
):
    mine = make_token(staff)
    theirs = ApiToken.objects.get()
    make_token(dsl)
    mine_row = ApiToken.objects.get(user=dsl)

    page = verified_client(dsl).get(TOKENS).content.decode()
    assert page.count("data-api-tokens") == 1
    assert f"chr_{mine_row.prefix}" in page and f"chr_{theirs.prefix}" not in page
    refused = verified_client(dsl).post(
        reverse("api:api_token_revoke", args=[theirs.pk])
    )
    assert refused.status_code == 404

    verified_client(staff).post(reverse("api:api_token_revoke", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.revoked_at is not None
    assert api_client(mine).get("/forms").status_code == 401
    revoked = LogEntry.objects.get_for_object(theirs).filter(
        action=LogEntry.Action.UPDATE
    )
    assert revoked.get().actor == staff


def _sidebar_offers_tokens(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return "api-tokens" in _names(admin_menu.render_component(request))


def _names(items):
    names = set()
    for item in items:
        names.add(item.name)
        names |= _names(getattr(item, "menu_items", None) or [])
    return names


def test_the_sidebar_offers_api_tokens_to_the_dsl_team_not_to_a_teacher(
    staff, dsl, make_member
):
    assert _sidebar_offers_tokens(dsl)
    assert _sidebar_offers_tokens(make_member(Role.HEAD))
    assert not _sidebar_offers_tokens(staff)


def test_a_teacher_finds_api_tokens_under_their_account(verified_client, staff):
    client = verified_client(staff)
    account = client.get("/admin/account/").content.decode()
    assert 'href="/admin/api-tokens/"' in account
    assert client.get("/admin/api-tokens/").status_code == 200


def test_a_teacher_who_has_a_token_keeps_it_in_the_sidebar(staff):
    token_create(user=staff, name="School portal", scopes=[Scope.SUBMIT])
    assert _sidebar_offers_tokens(staff)
