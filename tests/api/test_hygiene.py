"""The API's hygiene (issue 20): only calls that touch a child's record are audited;
refused tokens are throttled per prefix and per address, and logged once, not every
time; unknown fields are refused, not dropped; a submission key reused for other
content is a conflict; every error is an RFC 9457 problem, never HTML; NUL anywhere
is a 4xx, never a 500."""

import json
import uuid

import pytest
from django.test import Client

from accounts.models import Role
from api.auth import FailedAuthentication
from api.models import Scope
from audit.models import ChainedLogEntry as LogEntry
from records.models import Concern

from .conftest import API, payload
from .test_reporting import nothing_stored, submit_url, upload, with_files

PROBLEM = "application/problem+json"


def assert_problem(response, status):
    """The response is a problem for `status`; returns its body."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == PROBLEM, response["Content-Type"]
    body = response.json()
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    assert isinstance(body["errors"], dict)
    return body


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


# -- audit: only what reads or writes a child's record ---------------------------------


def test_calls_that_read_no_childs_record_write_no_audit_entry(
    as_user, staff, form_page
):
    client = as_user(staff)
    before = LogEntry.objects.count()

    for path in ("/token", "/forms", f"/forms/{form_page.pk}", "/concerns"):
        assert client.get(path).status_code == 200, path

    assert LogEntry.objects.count() == before


def test_a_submission_is_audited_once_as_the_concern_it_made(
    as_user, staff, form_page, answers
):
    before = LogEntry.objects.count()
    as_user(staff).post(submit_url(form_page), payload(answers))

    concern = Concern.objects.get()
    assert (
        LogEntry.objects.get_for_object(concern)
        .get(action=LogEntry.Action.CREATE)
        .actor
        == staff
    )
    assert not LogEntry.objects.filter(additional_data__event="api_request").exists()
    assert LogEntry.objects.count() > before


# -- refused tokens: throttled, logged once a window --------------------------------


@pytest.fixture
def failures(settings, monkeypatch):
    """Three refusals a minute; the clock held at the start of a window."""
    settings.CHRONICLE_API_FAILED_AUTH_RATE = "3/min"
    monkeypatch.setattr(FailedAuthentication, "timer", staticmethod(lambda: 6000.0))

    def later(seconds):
        value = 6000.0 + seconds
        monkeypatch.setattr(FailedAuthentication, "timer", staticmethod(lambda: value))

    return later


def test_a_wrong_secret_is_throttled_per_prefix_and_logged_once(
    staff, make_token, failures
):
    secret = make_token(staff)
    forged = secret[: secret.rindex("_") + 1] + "A" * 43

    codes = [
        Client(REMOTE_ADDR=f"10.0.0.{n}").get(f"{API}/forms", headers=bearer(forged))
        for n in range(5)
    ]

    assert [r.status_code for r in codes] == [401, 401, 401, 429, 429]
    assert codes[3]["Retry-After"] == "60"
    assert_problem(codes[3], 429)
    refused = LogEntry.objects.filter(additional_data__event="api_token_refused")
    assert refused.count() == 1
    failures(60)
    assert Client().get(f"{API}/forms", headers=bearer(forged)).status_code == 401


def test_hammering_a_tokens_prefix_does_not_lock_out_the_real_token(
    staff, make_token, failures
):
    """The prefix is not secret (admin lists and audit entries show it): an
    attacker elsewhere must not keep a school's MIS integration on 429."""
    secret = make_token(staff)
    forged = secret[: secret.rindex("_") + 1] + "A" * 43
    mis = Client(REMOTE_ADDR="192.0.2.10")

    for n in range(12):
        attacker = Client(REMOTE_ADDR=f"198.51.100.{n}")
        attacker.get(f"{API}/forms", headers=bearer(forged))
        assert mis.get(f"{API}/forms", headers=bearer(secret)).status_code == 200

    attacker = Client(REMOTE_ADDR="198.51.100.99")
    assert attacker.get(f"{API}/forms", headers=bearer(forged)).status_code == 429


def test_unknown_tokens_are_throttled_per_address(staff, make_token, failures):
    secret = make_token(staff)
    here, elsewhere = Client(REMOTE_ADDR="10.0.0.9"), Client(REMOTE_ADDR="10.0.0.8")
    for _ in range(5):  # calls that succeed are not failures
        assert here.get(f"{API}/token", headers=bearer(secret)).status_code == 200

    codes = [
        here.get(f"{API}/forms", headers=bearer(f"chr_guess{n}")).status_code
        for n in range(4)
    ]

    assert codes == [401, 401, 401, 429]
    assert here.get(f"{API}/forms", headers=bearer(secret)).status_code == 429
    assert elsewhere.get(f"{API}/forms", headers=bearer(secret)).status_code == 200
    assert not LogEntry.objects.filter(
        additional_data__event="api_token_refused"
    ).exists()
    failures(61)
    assert here.get(f"{API}/forms", headers=bearer(secret)).status_code == 200


def test_a_revoked_token_retried_all_night_is_logged_once_a_window(
    staff, make_token, failures
):
    from django.utils import timezone

    from api.models import ApiToken

    secret = make_token(staff)
    ApiToken.objects.update(revoked_at=timezone.now())
    for minute in range(3):
        failures(60 * minute)
        for _ in range(5):
            Client().get(f"{API}/forms", headers=bearer(secret))

    refused = LogEntry.objects.filter(additional_data__event="api_token_refused")
    assert refused.count() == 3
    assert {entry.additional_data["reason"] for entry in refused} == {"revoked"}


# -- unknown fields ------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, field, hint",
    [
        ({"action_taken": "Told the class teacher."}, "action_taken", "actions_taken"),
        ({"childs_voice": "'Leave me alone.'"}, "childs_voice", "child_voice"),
        ({"pupils": [{"pupil": 1, "role": "subject", "rol": "x"}]}, "pupils.0.rol", ""),
    ],
)
def test_an_unknown_field_is_refused_by_name_and_nothing_is_stored(
    as_user, staff, form_page, answers, change, field, hint
):
    body = {**payload(answers), **change}
    response = as_user(staff).post(submit_url(form_page), body)

    problem = assert_problem(response, 422)
    assert field in problem["errors"], problem
    assert hint in problem["errors"][field][0]
    assert nothing_stored()


def test_an_unknown_query_parameter_is_refused_by_name(as_user, staff):
    client = as_user(staff)

    misspelt = assert_problem(client.get("/concerns", {"limt": 2}), 422)
    assert "did you mean “limit”" in misspelt["errors"]["limt"][0]
    search = assert_problem(client.get("/pupils", {"query": "Ava"}), 422)
    assert list(search["errors"]) == ["query"]
    assert client.get("/concerns", {"limit": 2}).status_code == 200


def test_a_misspelt_part_of_a_multipart_submission_is_refused(
    as_user, staff, form_page, answers
):
    from .test_reporting import PDF

    client = as_user(staff)
    data = {
        "payload": json.dumps(payload(answers)),
        "attachment": [upload("note.pdf", PDF)],
    }
    response = client.post_multipart(with_files(form_page), data)
    assert "attachment" in assert_problem(response, 422)["errors"]

    extra = {"payload": json.dumps({**payload(answers), "action_taken": "First aid"})}
    response = client.post_multipart(with_files(form_page), extra)
    assert "action_taken" in assert_problem(response, 422)["errors"]
    assert nothing_stored()


# -- submission keys -----------------------------------------------------------------


def test_a_key_reused_for_other_content_is_a_conflict(
    as_user, staff, form_page, answers
):
    client = as_user(staff)
    first = client.post(submit_url(form_page), payload(answers))
    other = payload(answers, what_happened="A different incident, another day.")

    response = client.post(submit_url(form_page), other)

    body = assert_problem(response, 409)
    assert first.json()["reference"] in body["detail"]
    assert Concern.objects.count() == 1
    assert Concern.objects.get().what_happened == answers["what_happened"]
    assert client.post(submit_url(form_page), payload(answers)).status_code == 200


def test_a_key_reused_with_files_for_other_content_is_a_conflict(
    as_user, staff, form_page, answers
):
    from .test_reporting import PDF

    client = as_user(staff)
    assert client.post(submit_url(form_page), payload(answers)).status_code == 201
    other = payload(answers, immediate_risk=True)
    data = {"payload": json.dumps(other), "attachments": [upload("note.pdf", PDF)]}

    assert_problem(client.post_multipart(with_files(form_page), data), 409)
    assert Concern.objects.get().immediate_risk is False
    assert not Concern.objects.get().attachments.exists()


# -- problem details, never HTML -----------------------------------------------------


def test_every_refusal_is_a_problem(as_user, api_client, staff, make_token, form_page):
    tasks_only = as_user(staff, Scope.TASKS)
    body = assert_problem(api_client(None).get("/forms"), 401)
    assert body["detail"] == "Invalid or missing API token."
    unknown = api_client("chr_nonsense").get("/forms")
    assert_problem(unknown, 401)
    assert unknown["WWW-Authenticate"] == "Bearer"
    assert_problem(tasks_only.get("/forms"), 403)
    assert_problem(as_user(staff).get("/forms/999999"), 404)
    assert (
        "limit"
        in assert_problem(as_user(staff).get("/concerns?limit=0"), 422)["errors"]
    )


def test_unknown_paths_and_methods_under_the_api_are_problems(staff, make_token):
    client = Client()
    headers = bearer(make_token(staff))
    for path in (
        "/api/v1/nothing",
        "/api/v1/forms/",
        "/api/v1/forms/1/concerns/elsewhere",
        "/api/v2/forms",
        "/api/",
    ):
        response = client.get(path, headers=headers)
        assert_problem(response, 404)
        assert b"<html" not in response.content.lower()
    refused = client.delete(f"{API}/forms", headers=headers)
    assert_problem(refused, 405)
    assert refused["Allow"] == "GET"


def test_a_server_error_under_the_api_is_a_problem(staff, make_token, monkeypatch):
    from api import selectors

    def broken(user):
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "forms_for", broken)
    client = Client(raise_request_exception=False)

    response = client.get(f"{API}/forms", headers=bearer(make_token(staff)))

    body = assert_problem(response, 500)
    assert "a bug" not in json.dumps(body)


def test_a_body_too_large_and_malformed_json_are_problems(
    as_user, staff, form_page, answers, settings
):
    client = as_user(staff)
    bad = Client().post(
        f"{API}{submit_url(form_page)}",
        "{not json",
        content_type="application/json",
        headers=client.headers,
    )
    assert_problem(bad, 400)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    big = payload(answers, what_happened="x" * 20_000)
    assert_problem(client.post(submit_url(form_page), big), 413)


def test_too_many_calls_is_a_problem(as_user, staff, settings):
    settings.CHRONICLE_API_RATE = "1/min"
    client = as_user(staff)
    client.get("/token")
    response = client.get("/token")
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0


def test_the_openapi_document_says_errors_are_problems(client):
    document = client.get(f"{API}/openapi.json").json()

    submit = document["paths"]["/api/v1/forms/{form_id}/concerns"]["post"]
    assert set(submit["responses"]["409"]["content"]) == {PROBLEM}
    for path in document["paths"].values():
        for operation in path.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert set(response["content"]) == {PROBLEM}, status
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "errors"} <= set(problem["properties"])
    assert (
        document["components"]["schemas"]["ConcernIn"]["additionalProperties"] is False
    )


# -- NUL characters ------------------------------------------------------------------


def test_nul_in_the_path_or_query_is_a_problem(staff, make_token):
    client = Client()
    headers = bearer(make_token(staff))
    before = LogEntry.objects.count()
    for path in ("/api/v1/forms\x00", "/api/v1/for%00ms", "/api/v1/nothing%00/x"):
        assert_problem(client.get(path, headers=headers), 400)
    for query in ({"limit": "1\x00"}, {"q\x00": "ab"}):
        response = client.get(f"{API}/concerns", query, headers=headers)
        assert_problem(response, 422)
    assert LogEntry.objects.count() == before


def test_other_control_characters_are_refused_too_but_not_tabs_and_new_lines(
    as_user, staff, form_page, answers
):
    client = as_user(staff)
    assert_problem(Client().get("/api/v1/forms%0A", headers=client.headers), 400)
    assert "q" in assert_problem(client.get("/pupils", {"q": "Av\x1ba"}), 422)["errors"]
    bell = payload(answers, child_voice="'Go away'\x07")
    refused = assert_problem(client.post(submit_url(form_page), bell), 422)
    assert "child_voice" in refused["errors"]
    assert nothing_stored()

    lines = payload(answers, what_happened="At break:\n\tpushed over.\r\nCried.")
    assert client.post(submit_url(form_page), lines).status_code == 201
    assert Concern.objects.get().what_happened == "At break:\n\tpushed over.\r\nCried."


def test_nul_in_a_token_is_refused_not_looked_up(staff, make_token):
    secret = make_token(staff)
    for presented in (secret + "\x00", "chr_\x00" + secret[4:], secret[:10] + "\x00"):
        response = Client().get(f"{API}/forms", headers=bearer(presented))
        assert_problem(response, 401)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"what_happened": "Said\x00 he hit her."}, "what_happened"),
        ({"child_voice": "'Stop\x00'"}, "child_voice"),
        ({"location_detail": "By the\x00 gate"}, "location_detail"),
        ({"actions_taken": "First\x00 aid"}, "actions_taken"),
        ({"child_voice_not_known": "Asleep\x00"}, "child_voice_not_known"),
        (
            {"answers": {"has_anyone_else_been_told": "yes\x00"}},
            "answers.has_anyone_else_been_told",
        ),
        (
            {"answers": {"has_anyone_else_been_told": "no", "x\x00": "y"}},
            "answers.x\x00",
        ),
        ({"pupils": [{"pupil": 1, "role": "subject\x00"}]}, "pupils.0.role"),
        ({"submission_key": str(uuid.uuid4()) + "\x00"}, "submission_key"),
        ({"action\x00taken": "x"}, "action\x00taken"),
    ],
)
def test_nul_in_any_field_of_the_body_is_refused_by_name(
    as_user, make_member, form_page, answers, change, field
):
    dsl = make_member(Role.DSL)
    body = {**payload(answers), **change}
    response = as_user(dsl).post(submit_url(form_page), body)

    problem = assert_problem(response, 422)
    assert field in problem["errors"], problem
    assert nothing_stored()


def test_nul_in_the_paper_reporters_name_is_refused(
    as_user, make_member, form_page, answers
):
    dsl = make_member(Role.DSL)
    body = payload(answers, reported_by_name="Mrs\x00 Jones")
    problem = assert_problem(as_user(dsl).post(submit_url(form_page), body), 422)
    assert "reported_by_name" in problem["errors"]
    assert nothing_stored()


def test_a_nul_in_a_multipart_payload_is_refused(as_user, staff, form_page, answers):
    data = {"payload": json.dumps(payload(answers, what_happened="Hit\x00 her"))}
    response = as_user(staff).post_multipart(with_files(form_page), data)
    assert "what_happened" in assert_problem(response, 422)["errors"]
    assert nothing_stored()
