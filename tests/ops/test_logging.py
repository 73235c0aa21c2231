"""A request id on every response and log line; the access line names no case."""

import io
import json
import logging

import pytest
from django.urls import reverse
from pythonjsonlogger.json import JsonFormatter

from chronicle.logs import RequestContextFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def access_lines(caplog):
    caplog.set_level(logging.INFO, logger="chronicle.access")
    return lambda: [r for r in caplog.records if r.name == "chronicle.access"]


def test_the_proxys_request_id_is_kept_and_returned(client, access_lines):
    proxy_id = "3f2b9c1e8a7d4c6b9e0f1a2b3c4d5e6f"  # nginx's $request_id
    response = client.get(reverse("health_live"), headers={"X-Request-ID": proxy_id})
    assert response["X-Request-ID"] == proxy_id
    (line,) = access_lines()
    assert line.request_id == proxy_id


@pytest.mark.parametrize(
    "sent",
    [
        "short",
        "x" * 200,
        "abc def ghi jkl",
        "forged\nINFO chronicle.access request",
        "<script>alert(1)</script>",
    ],
)
def test_a_request_id_that_is_not_a_sane_token_is_replaced(client, sent):
    response = client.get(reverse("health_live"), headers={"X-Request-ID": sent})
    returned = response["X-Request-ID"]
    assert returned != sent
    assert len(returned) == 32 and returned.isalnum()


def test_each_request_gets_its_own_id(client):
    first = client.get(reverse("health_live"))["X-Request-ID"]
    second = client.get(reverse("health_live"))["X-Request-ID"]
    assert first != second


def test_the_access_line_gives_the_url_pattern_never_the_path_or_query(
    client, access_lines
):
    """A transfer link's path is its one-time token; a pupil search's query is a
    child's name. Neither may reach the log."""
    client.get("/transfer/secret-one-time-token-abc123/?q=Ada+Lovelace")
    (line,) = access_lines()
    assert line.route == "transfer/<str:token>/"
    assert line.view == "transfer_link"
    assert line.method == "GET"
    logged = repr(line.__dict__)
    assert "secret-one-time-token" not in logged
    assert "Lovelace" not in logged


def test_the_access_line_names_the_signed_in_user_by_id(
    verified_client, staff, access_lines
):
    verified_client(staff).get(reverse("forms:my_reports"))
    (line,) = access_lines()
    assert line.user_id == staff.pk
    assert line.status == 200
    assert staff.username not in repr(line.__dict__)


def test_lines_written_outside_a_request_carry_empty_ids():
    """The worker's and the scheduler's lines: the formatter still finds both."""
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    assert RequestContextFilter().filter(record)
    assert record.request_id is None
    assert record.user_id is None


@pytest.fixture
def json_log():
    """The console handler the settings configure (its filter included), writing
    JSON into a buffer as production's does to stdout."""
    (handler,) = [h for h in logging.getLogger().handlers if h.name == "console"]
    stream, formatter = handler.stream, handler.formatter
    buffer = io.StringIO()
    handler.setStream(buffer)
    handler.setFormatter(
        JsonFormatter("%(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s")
    )
    yield buffer
    handler.setStream(stream)
    handler.setFormatter(formatter)


def test_djangos_not_found_line_names_the_pattern_not_the_token_or_query(
    client, json_log
):
    response = client.get("/transfer/secret-one-time-token-abc123/?q=Ada+Lovelace")
    assert response.status_code == 404
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    (not_found,) = [line for line in lines if line["name"] == "django.request"]
    assert not_found["message"] == "Not Found: transfer/<str:token>/"
    assert not_found["request"] == "GET transfer/<str:token>/"
    assert not_found["request_id"] == response["X-Request-ID"]
    assert "secret-one-time-token" not in json_log.getvalue()
    assert "Lovelace" not in json_log.getvalue()


# A value a user typed, raised inside a chained exception as PostgreSQL's DETAIL line
# and int()'s parse error carry it, then logged as the scheduler logs a failed job.
CANARY = "CANARY-Ada-Lovelace-2014"
LOG_A_FAILURE = f"""
import logging
try:
    try:
        int("{CANARY}")
    except ValueError as error:
        raise RuntimeError("DETAIL: Key (upn)=({CANARY}) already exists.") from error
except RuntimeError:
    logging.getLogger("ops.scheduler").exception("Scheduled job %s failed", "clock")
"""


def test_production_json_logs_name_the_exception_not_its_message():
    """An IT provider's log store is no place for a child's name: the traceback
    keeps the types and frames to debug with, never the messages."""
    from tests.test_settings import PRODUCTION_ENV, shell

    out = shell(LOG_A_FAILURE, **PRODUCTION_ENV)
    assert CANARY not in out
    (line,) = [json.loads(text) for text in out.splitlines() if text.startswith("{")]
    assert line["message"] == "Scheduled job clock failed"
    trace = line["exc_info"]
    assert trace.index("ValueError") < trace.index("RuntimeError")
    assert "line 5, in <module>" in trace


def test_production_text_logs_name_the_exception_not_its_message():
    from tests.test_settings import PRODUCTION_ENV, shell

    out = shell(LOG_A_FAILURE, **PRODUCTION_ENV, LOG_FORMAT="text")
    assert CANARY not in out
    assert "Scheduled job clock failed" in out
    assert "RuntimeError" in out
