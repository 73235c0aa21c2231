"""API fixtures: tokens for each role and a client that sends them.

The concern form and a valid set of answers come from tests/forms/conftest.py,
re-exported here so the API is tested against the same form as the web page.
"""

import pytest

from api.models import Scope
from api.services import token_create

from ..forms.conftest import answers, form_page  # noqa: F401 (fixtures)

API = "/api/v1"


@pytest.fixture(autouse=True)
def rate_counts():
    """Each test starts with no calls counted against its tokens."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _private(private_storage):
    """Every test here keeps its files in a temporary folder (tests/conftest.py)."""
    return private_storage


@pytest.fixture
def make_token(db):
    """make_token(user, scopes=("submit",), days=None) -> the secret."""

    def make(user, scopes=(Scope.SUBMIT,), days=None):
        _token, secret = token_create(
            user=user, name="Test client", scopes=list(scopes), days=days
        )
        return secret

    return make


@pytest.fixture
def api_client(client):
    """api_client(secret) -> a client whose requests carry the bearer token."""

    class ApiClient:
        def __init__(self, secret):
            self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

        def get(self, path, params=None):
            return client.get(f"{API}{path}", params or {}, headers=self.headers)

        def post(self, path, body):
            return client.post(
                f"{API}{path}",
                body,
                content_type="application/json",
                headers=self.headers,
            )

        def post_multipart(self, path, data):
            return client.post(f"{API}{path}", data, headers=self.headers)

    return ApiClient


@pytest.fixture
def as_user(api_client, make_token):
    """as_user(user, *scopes) -> an API client acting for the user."""

    def client_for(user, *scopes):
        return api_client(make_token(user, scopes or (Scope.SUBMIT, Scope.TASKS)))

    return client_for


def payload(form_answers, /, **changes):
    """The web form's answers (tests/forms/conftest.py) as the API's JSON body."""
    body = {
        "submission_key": form_answers["submission_key"],
        "pupils": [
            {"pupil": pk, "role": role}
            for pk, role in zip(
                form_answers["pupil"], form_answers["pupil_role"], strict=True
            )
        ],
        "occurred_on": form_answers["occurred_on"],
        "occurred_at": form_answers["occurred_at"],
        "location": form_answers["location"],
        "location_detail": form_answers["location_detail"],
        "what_happened": form_answers["what_happened"],
        "child_voice": form_answers["child_voice"],
        "primary_category": form_answers["primary_category"],
        "tags": form_answers["tags"],
        "immediate_risk": form_answers["immediate_risk"] == "yes",
        "actions_taken": form_answers["actions_taken"],
        "answers": {
            "has_anyone_else_been_told": form_answers["q_has_anyone_else_been_told"]
        },
    }
    body.update(changes)
    return body
