"""Shared fixtures: schools, one user per role, and clients past two-factor.

The audit table refuses DELETE (see audit/db_guard.py), so transactional_db cannot
flush it: tests use the default transaction-rollback database, and browser tests run
their own server on their own database (tests/e2e/conftest.py).
"""

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from records.models import Concern

from . import builders
from .factories import SchoolFactory


@pytest.fixture
def school(db):
    return SchoolFactory(name="Brook Lane Primary (test)")


@pytest.fixture
def other_school(db):
    return SchoolFactory(name="Far Hill Academy (test)")


@pytest.fixture
def make_member(db, school):
    """make_member(role, school=None) -> a user holding that role at the school."""

    def make(role, at=None, **user_fields):
        return builders.member(at or school, role, **user_fields)

    return make


@pytest.fixture
def dsl(make_member):
    return make_member(Role.DSL)


@pytest.fixture
def staff(make_member):
    return make_member(Role.STAFF)


@pytest.fixture
def totp_device(db):
    def make(user):
        return TOTPDevice.objects.create(user=user, name="Authenticator app")

    return make


@pytest.fixture
def verified_client(client, totp_device):
    """verified_client(user) -> the test client signed in past two-factor.

    The two-factor steps themselves are tested in tests/accounts/test_two_factor.py;
    this skips them for tests about what a signed-in user sees.
    """

    def sign_in(user):
        device = TOTPDevice.objects.filter(user=user).first() or totp_device(user)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return sign_in


@pytest.fixture
def pupil(school):
    return builders.pupil(school)


@pytest.fixture
def submit(school, staff):
    """submit(at=, immediate_risk=, route=, by=, **fields) -> a concern as staff
    report it, about one new child, its process started (tests/builders.py's
    concern: any of its arguments passes through)."""

    def make(
        at=None, immediate_risk=False, route=Concern.Route.DSL_TEAM, by=None, **fields
    ):
        return builders.concern(
            school=at or school,
            by=by or staff,
            immediate_risk=immediate_risk,
            route=route,
            **fields,
        )

    return make


@pytest.fixture
def deputy(make_member):
    return make_member(Role.DEPUTY_DSL)


@pytest.fixture
def head(make_member):
    return make_member(Role.HEAD)


@pytest.fixture
def private_storage(settings, tmp_path):
    """Case files (attachments, documents, bundles) go to a temporary folder, never
    to var/private-media; returns the folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    return tmp_path / "private"


def stored_files(root):
    """Every file kept in private storage under `root`, in order."""
    return sorted(path for path in root.rglob("*") if path.is_file())
