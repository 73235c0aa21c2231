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
EXAMPLES = 25  # per operation and mode: the whole run stays well under a minute


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
        "/api/v1/roll",
    }
    for path, item in document["paths"].items():
        scheme = "ServiceTokenAuth" if path == ROLL else "TokenAuth"
        for operation in item.values():
            assert operation["security"] == [{scheme: []}]
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


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    wsgi_app, make_member, school, form_page, make_token, settings
):
    settings.CHRONICLE_API_RATE = "1000000/min"
    settings.CHRONICLE_API_FAILED_AUTH_RATE = "1000000/min"  # its no-token probes
    dsl = make_member(Role.DSL)
    PupilFactory.create_batch(3, school=school, first_name="Abigail")
    personal = make_token(dsl, [Scope.SUBMIT, Scope.TASKS])
    _token, service = service_token_create(school=school, user=dsl, name="MIS", days=9)
    schema = schemathesis.openapi.from_wsgi(OPENAPI, wsgi_app)

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9
    for operation in operations:
        secret = service if operation.path.endswith("/roll") else personal
        auth = {"Authorization": f"Bearer {secret}"}
        real = {"form_id": form_page.pk} if "{form_id}" in operation.path else None
        for mode in (
            schemathesis.GenerationMode.POSITIVE,
            schemathesis.GenerationMode.NEGATIVE,
        ):
            strategies = [operation.as_strategy(mode)]
            if real:
                strategies.append(operation.as_strategy(mode, path_parameters=real))
            for strategy in strategies:
                _fuzz(strategy, auth)
    assert Concern.objects.count() == 0  # random reports are all refused
    assert not school.pupils.exclude(first_name="Abigail").exists()  # random rolls


def _fuzz(strategy, auth):
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
        case.call_and_validate(headers=auth, checks=CHECKS)

    run()
