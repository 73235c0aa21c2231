"""The published contract: /api/v1/openapi.json is public, a valid OpenAPI
document, and the API keeps to it under schemathesis's generated requests."""

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Role
from api.models import Scope
from api.roll_sync.services import service_token_create
from records.models import Concern

from ..builders import about, concern, pupil
from ..factories import PupilFactory

OPENAPI = "/api/v1/openapi.json"
ROLL = "/api/v1/roll"  # the one operation a school's service token opens
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]
EXAMPLES = 10  # per operation, mode and token: four tokens stay within a few minutes
SCOPES = {
    "/api/v1/token": (),
    "/api/v1/tasks/counts": ("tasks",),
    "/api/v1/reports": ("reports",),
    "/api/v1/roll": ("service:roll",),
    **dict.fromkeys(
        [
            "/api/v1/forms",
            "/api/v1/forms/{form_id}",
            "/api/v1/forms/{form_id}/concerns",
            "/api/v1/forms/{form_id}/concerns/with-files",
            "/api/v1/pupils",
            "/api/v1/concerns",
        ],
        ("submit",),
    ),
    **dict.fromkeys(
        [
            "/api/v1/casework/tasks",
            "/api/v1/casework/concerns",
            "/api/v1/casework/concerns/{reference}",
            "/api/v1/casework/pupils/{pupil_id}/chronology",
        ],
        ("casework",),
    ),
}
ALL_SCOPES = [Scope.SUBMIT, Scope.TASKS, Scope.CASEWORK, Scope.REPORTS]


def test_the_openapi_document_is_public_and_valid(client):
    response = client.get(OPENAPI)

    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["info"]["title"] == "Chronicle API"
    assert document["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert set(document["paths"]) == {
        "/api/v1/token",
        "/api/v1/forms",
        "/api/v1/forms/{form_id}",
        "/api/v1/forms/{form_id}/concerns",
        "/api/v1/forms/{form_id}/concerns/with-files",
        "/api/v1/pupils",
        "/api/v1/concerns",
        "/api/v1/tasks/counts",
        "/api/v1/casework/tasks",
        "/api/v1/casework/concerns",
        "/api/v1/casework/concerns/{reference}",
        "/api/v1/casework/pupils/{pupil_id}/chronology",
        "/api/v1/reports",
        "/api/v1/roll",
    }
    for path, item in document["paths"].items():
        for operation in item.values():
            needed = list(SCOPES[path])
            if path == ROLL:
                assert operation["security"] == [{"ServiceTokenAuth": []}]
                assert operation["x-scopes"] == ["service:roll"]
            else:
                assert operation["security"] == [{"TokenAuth": needed}]
                assert operation["x-scopes"] == needed
            assert {"401", "403", "422", "429"} <= set(operation["responses"])


@pytest.fixture
def wsgi_app():
    """Django's own WSGI application, in this test's database transaction: the
    connection must not be closed at the start or end of each request (Django's
    test client does the same)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def test_schemathesis_finds_no_server_error_no_schema_violation_and_no_leak(
    wsgi_app, make_member, school, other_school, form_page, make_token, settings
):
    """Every operation, fuzzed with a DSL's, a head's and a member of staff's
    token (all scopes) and a school's service token: no server error, no answer
    outside the schema, and no answer holding what that token may not see."""
    settings.CHRONICLE_API_RATE = "1000000/min"
    settings.CHRONICLE_API_FAILED_AUTH_RATE = "1000000/min"  # its no-token probes
    dsl, head, staff = (make_member(r) for r in (Role.DSL, Role.HEAD, Role.STAFF))
    PupilFactory.create_batch(3, school=school, first_name="Abigail")
    here = concern(by=staff, children=[pupil(school)], what_happened=CASE_TEXT)
    elsewhere = make_member(Role.DSL, at=other_school)
    concern(by=elsewhere, children=[pupil(other_school)], what_happened=OTHER_SCHOOL)
    about(dsl, by=staff, what_happened=ABOUT_THE_DSL)
    _token, service = service_token_create(school=school, user=dsl, name="MIS", days=9)
    kept_from = {  # what each token must never be shown
        make_token(dsl, ALL_SCOPES): [OTHER_SCHOOL, ABOUT_THE_DSL],
        make_token(head, ALL_SCOPES): [OTHER_SCHOOL],
        make_token(staff, ALL_SCOPES): [OTHER_SCHOOL, ABOUT_THE_DSL, CASE_TEXT],
        service: [OTHER_SCHOOL, ABOUT_THE_DSL, CASE_TEXT],
    }
    real = {
        "form_id": form_page.pk,
        "reference": here.reference,
        "pupil_id": here.involvements.get().pupil_id,
    }
    schema = schemathesis.openapi.from_wsgi(OPENAPI, wsgi_app)

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 14
    for secret, hidden in kept_from.items():
        checks = [*CHECKS, _never_shows(hidden)]
        for operation in operations:
            known = {k: v for k, v in real.items() if f"{{{k}}}" in operation.path}
            for mode in (
                schemathesis.GenerationMode.POSITIVE,
                schemathesis.GenerationMode.NEGATIVE,
            ):
                strategies = [operation.as_strategy(mode)]
                if known:
                    strategies.append(
                        operation.as_strategy(mode, path_parameters=known)
                    )
                for strategy in strategies:
                    _fuzz(strategy, {"Authorization": f"Bearer {secret}"}, checks)
    assert Concern.objects.count() == 3  # random reports are all refused
    # Nor random rolls: no pupil but the three searched for and the concerns' own.
    assert not school.pupils.exclude(first_name="Abigail").filter(
        involvements__isnull=True
    )


CASE_TEXT = "canary-case-text at this school"
OTHER_SCHOOL = "canary-other-school's case"
ABOUT_THE_DSL = "canary-about-the-dsl herself"


def _never_shows(hidden):
    @schemathesis.check
    def no_data_outside_the_tokens_scope(ctx, response, case):
        text = response.text
        leaked = [canary for canary in hidden if canary in text]
        if leaked:
            raise AssertionError(f"{case.path} showed {leaked}")
        return True

    return no_data_outside_the_tokens_scope


def _fuzz(strategy, auth, checks):
    @hypothesis.given(case=strategy)
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    def run(case):
        case.call_and_validate(headers=auth, checks=checks)

    run()
