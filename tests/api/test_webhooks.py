"""Webhooks: a school's DSL or head registers an endpoint; a concern raised, a
task gone late and a transfer receipted each send one signed notice with no case
content, from the real worker, retried when the receiver fails; the delivery log
and the test button in the admin. The example receiver in docs/ verifies a real
delivery to a local HTTP server started here."""

import importlib.util
import json
import socket
import threading
from http.server import HTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.models import Role
from api.models import WebhookDelivery, WebhookEndpoint
from api.webhooks.services import endpoint_register
from records.models import Transfer
from workflows import transfers
from workflows.models import Notification
from workflows.services import notify

from ..accounts.test_role_pages import signed_in
from ..builders import concern, open_task, pupil, transfer_out, transfer_send
from ..ops.test_background import (  # noqa: F401 (fixtures)
    connection_kept,
    database_queue,
    run_worker,
)

pytestmark = pytest.mark.django_db
SECRET = "a-shared-secret-of-some-length"
CONTENT = "canary-what-happened must never leave in a notice"
RECEIVER = Path(__file__).resolve().parents[2] / "docs" / "webhook-receiver.py"


def example_receiver():
    """docs/webhook-receiver.py, loaded as a module (its name has a hyphen)."""
    spec = importlib.util.spec_from_file_location("webhook_receiver", RECEIVER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def receiver():
    """The docs' example receiver, listening on 127.0.0.1; yields (url, received)."""
    received = []
    server = HTTPServer(
        ("127.0.0.1", 0), example_receiver().handler_for(SECRET, received)
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def endpoint(receiver, school, dsl):
    url, _received = receiver
    return endpoint_register(school=school, user=dsl, url=url, secret=SECRET)


def test_a_raised_concern_is_told_signed_and_without_its_content(
    receiver, endpoint, school, staff
):
    _url, received = receiver
    raised = concern(by=staff, children=[pupil(school)], what_happened=CONTENT)

    assert received == []  # never sent in the request: the worker sends it
    run_worker()

    assert len(received) == 1  # verified by the docs' example code
    notice = received[0]
    assert notice["event"] == "concern.raised"
    assert notice["school"] == {"id": school.pk, "name": school.name, "urn": school.urn}
    assert notice["data"] == {"reference": raised.reference}
    assert CONTENT not in json.dumps(notice)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)


def test_a_wrong_secret_or_an_old_timestamp_is_refused_by_the_example():
    module = example_receiver()
    body = b'{"event":"test"}'
    good = module.hmac.new(SECRET.encode(), b"1000." + body, "sha256").hexdigest()
    assert module.verify(SECRET, f"t=1000,v1={good}", body, now=1000) == {
        "event": "test"
    }
    for header, now in (
        (f"t=1000,v1={good}", 2000),  # replayed later
        (f"t=1000,v1={good[:-1]}0", 1000),  # tampered
        ("v1=abc", 1000),  # malformed
    ):
        with pytest.raises(module.SignatureInvalid):
            module.verify(SECRET, header, body, now=now)
    with pytest.raises(module.SignatureInvalid):
        module.verify("another-secret-entirely", f"t=1000,v1={good}", body, now=1000)


@pytest.fixture
def closed_port():
    """A local TCP port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_failing_receiver_is_retried_and_the_log_says_why(
    settings, school, dsl, staff, closed_port
):
    endpoint_register(
        school=school, user=dsl, url=f"http://127.0.0.1:{closed_port}/", secret=SECRET
    )
    concern(by=staff, children=[pupil(school)])

    run_worker()  # CHRONICLE_TASK_ATTEMPTS = 3, no wait between them here

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failing"
    assert delivery.attempts == 3
    assert delivery.last_error
    sending = DBTaskResult.objects.get(task_path__endswith="deliver_webhook")
    assert sending.status == TaskResultStatus.FAILED


def test_a_late_task_is_told_once(receiver, endpoint, school, staff, dsl):
    _url, received = receiver
    raised = concern(by=staff, children=[pupil(school)])
    run_worker()
    task = open_task(raised, "triage")
    for _ in range(2):  # the clock reminds two people of one late task
        notify(users=[dsl], kind=Notification.Kind.REMINDER, message="late", task=task)
    run_worker()

    late = [n for n in received if n["event"] == "task.overdue"]
    assert len(late) == 1
    assert late[0]["data"]["reference"] == raised.reference
    assert late[0]["data"]["step"] == "triage"


def test_a_transfer_receipted_is_told_once(receiver, endpoint, school, dsl):
    _url, received = receiver
    transfer = transfer_out(pupil(school), dsl)
    transfer, _phrase, _token = transfer_send(
        transfer, dsl, delivery=Transfer.Delivery.COURIER, delivery_note="Tracked 1"
    )
    transfers.receipt_record(
        transfer=transfer,
        user=dsl,
        name="Priya Shah",
        role="DSL",
        school_name="Far Hill Academy",
        received_on=timezone.localdate(),
        evidence="Signed transfer form, scanned into the office file.",
    )
    transfer.refresh_from_db()
    transfer.save()  # saved again later: still one notice
    run_worker()

    told = [n for n in received if n["event"] == "transfer.receipted"]
    assert [n["data"] for n in told] == [{"reference": transfer.reference}]


def test_another_schools_endpoint_hears_nothing(
    receiver, other_school, make_member, school, staff
):
    url, received = receiver
    elsewhere = make_member(Role.DSL, at=other_school)
    endpoint_register(school=other_school, user=elsewhere, url=url, secret=SECRET)
    concern(by=staff, children=[pupil(school)])
    run_worker()
    assert received == []


def test_endpoints_must_be_https_in_production(settings, school, dsl):
    settings.CHRONICLE_WEBHOOK_HTTPS_ONLY = True
    with pytest.raises(ValidationError):
        endpoint_register(
            school=school, user=dsl, url="http://example.test/hook", secret=SECRET
        )
    with pytest.raises(ValidationError):
        endpoint_register(
            school=school, user=dsl, url="https://example.test/hook", secret="short"
        )
    assert not WebhookEndpoint.objects.exists()


# -- the admin page ----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.DSL, Role.HEAD])
def test_a_dsl_or_head_registers_tests_and_reads_the_log(
    receiver, make_member, school, role
):
    url, received = receiver
    client = signed_in(make_member(role))
    page = f"/admin/webhooks/{school.pk}/"

    answer = client.post(page, {"url": url, "secret": SECRET})
    assert answer.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    client.post(f"/admin/webhooks/endpoint/{endpoint.pk}/test/")
    run_worker()

    assert [n["event"] for n in received] == ["test"]
    log = client.get(page).content.decode()
    assert "Test event" in log and "Delivered" in log
    assert SECRET not in log


@pytest.mark.parametrize("role", [Role.STAFF, Role.DEPUTY_DSL, Role.CONFIGURATOR])
def test_others_may_not_manage_webhooks(make_member, school, endpoint, role):
    client = signed_in(make_member(role))
    assert client.get(f"/admin/webhooks/{school.pk}/").status_code == 404
    answer = client.post(f"/admin/webhooks/endpoint/{endpoint.pk}/test/")
    assert answer.status_code == 404
    assert not WebhookDelivery.objects.exists()


def test_a_short_secret_keeps_what_was_typed(dsl, school):
    client = signed_in(dsl)
    answer = client.post(
        f"/admin/webhooks/{school.pk}/",
        {"url": "http://127.0.0.1:9/hook", "secret": "short"},
    )
    assert answer.status_code == 200
    assert "http://127.0.0.1:9/hook" in answer.content.decode()
    assert not WebhookEndpoint.objects.exists()
