"""Need to know, everywhere: every page of the site, asked for by each person who
must not see a restricted record (and by a system administrator, who sees no case
content at all), never shows a word of it.

The restricted records carry canary text. Each URL is requested twice: with the
world's ordinary records in its parameters, and with the restricted ones (the
restricted file, the restricted concern and its task). The DSL named on them is
asked too, so the test would notice if the canary could not be found at all.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from records import restrictions
from records.services import file_note_add
from workflows.models import CaseTask

from .. import builders
from ..factories import PupilFactory, UserFactory
from .conftest import signed_in
from .matrix import close
from .test_permission_matrix import ALL_ROUTES, OURS, RULES, WAGTAILS, url_for

pytestmark = pytest.mark.django_db

CANARIES = ("CANARY-CONCERN", "CANARY-FILE", "CANARY-NOTE")
# Everyone but the DSL named on the restricted records.
NOT_NAMED = (
    "staff",
    "deputy",
    "head",
    "configurator",
    "trust_lead",
    "other_dsl",
    "sysadmin",
)
# What a system administrator must not see of the ordinary (unrestricted) records.
CASE_CONTENT = ("Ava said he pushed her", "Mum says things are better", "Matrix, Ava")


def _concern(child, *, by, text):
    attachment = SimpleUploadedFile(
        "canary.txt", b"%PDF-1.4 CANARY", content_type="application/pdf"
    )
    return builders.concern(
        by=by, children=[child], attachments=[attachment], what_happened=text
    )


@pytest.fixture(scope="module")
def secrets(world, django_db_blocker):
    """A concern about the world's child restricted to the DSL, and a whole file
    restricted to the DSL, with a concern and a note; a system administrator."""
    with django_db_blocker.unblock():
        dsl, staff = world.people["dsl"], world.people["staff"]
        reason = "An allegation about a member of staff (need-to-know test)."
        concern = _concern(world.pupil, by=staff, text="CANARY-CONCERN at lunch.")
        restrictions.restriction_set(obj=concern, user=dsl, reason=reason, people=[])
        hidden = PupilFactory(school=world.school, first_name="Ned", last_name="Hid")
        file_concern = _concern(hidden, by=staff, text="CANARY-FILE after school.")
        note = file_note_add(
            pupil=hidden,
            user=dsl,
            kind="meeting",
            title="CANARY-NOTE meeting",
            occurred_at=timezone.now() - datetime.timedelta(hours=1),
            body="CANARY-NOTE: what was said.",
        )
        restrictions.restriction_set(obj=hidden, user=dsl, reason=reason, people=[])
        sysadmin = UserFactory(username="sysadmin-ntk", is_superuser=True)
        TOTPDevice.objects.create(user=sysadmin, name="Authenticator app")
        clients = {
            role: signed_in(world.people[role])
            for role in NOT_NAMED
            if role != "sysadmin"
        }
        clients["sysadmin"] = signed_in(sysadmin)
        clients["dsl"] = signed_in(dsl)
        restricted_world = SimpleNamespace(
            **{
                **vars(world),
                "pupil": hidden,
                "concern": concern,
                "task": CaseTask.objects.get(
                    concern=concern, flow_task_type="HUMAN", status="NEW"
                ),
                "attachment": concern.attachments.get(),
                "note": note,
                "entry": f"concern-{file_concern.pk}",
            }
        )
        return SimpleNamespace(
            clients=clients,
            world=restricted_world,
            file_concern=file_concern,
            ordinary_pupil=world.pupil,
        )


def body(response):
    if isinstance(response, FileResponse):
        return ""  # a stored upload: its own test below
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def get(client, url):
    response = client.get(url)
    try:
        return response.status_code, body(response)
    finally:
        close(response)


def urls(names, world):
    for name in names:
        route = ALL_ROUTES[name]
        rule = RULES.get(name)
        yield name, url_for(route, world, rule.on if rule else None)


def leaks(client, names, worlds, words):
    found = []
    for world in worlds:
        for name, url in urls(names, world):
            status, text = get(client, url)
            assert status < 500, f"{url}: {status}"
            found += [f"{name} {url}: {word}" for word in words if word in text]
    return found


def test_the_named_dsl_sees_the_canaries(secrets):
    """The check below can fail: the canaries are on the pages of who is named."""
    client = secrets.clients["dsl"]
    world = secrets.world
    _status, text = get(
        client, url_for(ALL_ROUTES["records_admin:file_detail"], world, ("pupil",))
    )
    assert "CANARY-FILE" in text and "CANARY-NOTE" in text
    _status, text = get(
        client, url_for(ALL_ROUTES["workflows:casework_concern"], world, ("concern",))
    )
    assert "CANARY-CONCERN" in text
    ordinary = url_for(
        ALL_ROUTES["records_admin:file_detail"], world_of(secrets), ("pupil",)
    )
    _status, text = get(client, ordinary)
    assert all(word in text for word in CASE_CONTENT[:2])
    assert (
        CASE_CONTENT[2]
        in get(client, url_for(ALL_ROUTES["records_admin:file_list"], world, ()))[1]
    )


def world_of(secrets):
    """The ordinary child's file (for the file_detail URL)."""
    return SimpleNamespace(pupil=secrets.ordinary_pupil)


@pytest.mark.parametrize("role", NOT_NAMED)
def test_a_restricted_record_shows_nowhere(role, world, secrets):
    found = leaks(secrets.clients[role], OURS, (world, secrets.world), CANARIES)
    assert not found, "Restricted content shown:\n" + "\n".join(found)


def test_a_system_administrator_sees_no_case_content_anywhere(world, secrets):
    """Every page of ours and every page of Wagtail's admin (as a superuser)."""
    client = secrets.clients["sysadmin"]
    found = leaks(client, OURS, (world, secrets.world), CANARIES + CASE_CONTENT)
    found += leaks(client, WAGTAILS, (world,), CANARIES + CASE_CONTENT)
    assert not found, "Case content shown to a system administrator:\n" + "\n".join(
        found
    )


def test_a_restricted_attachment_is_not_served(world, secrets):
    url = url_for(
        ALL_ROUTES["records:attachment_download"], secrets.world, ("attachment",)
    )
    for role in NOT_NAMED:
        status, _text = get(secrets.clients[role], url)
        assert status == 404, role
    assert get(secrets.clients["dsl"], url)[0] == 200


def test_the_api_shows_no_restricted_record(world, secrets):
    """The API token (staff's) lists the user's own reports and tasks: none of a
    restricted record's content."""
    client = Client()
    headers = {"Authorization": f"Bearer {world.api_secret}"}
    api = [name for name in OURS if ALL_ROUTES[name].route.startswith("api/")]
    for _name, url in urls(api, world):
        response = client.get(url, headers=headers)
        text = body(response)
        close(response)
        assert not [word for word in CANARIES if word in text], url
