"""Error reports leave the school's systems: scrub_event takes the case out."""

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.http import HttpResponse

from chronicle.logs import RequestIdMiddleware
from chronicle.sentry import scrub_event

from ..test_settings import PRODUCTION_ENV, manage

try:  # the SDK compresses with brotli when it is installed, else with gzip
    import brotli
except ImportError:
    brotli = None

CHILD = "Ada Testchild"
CONCERN = "bruise on her left arm, says step-dad grabbed her"
TOKEN = "a1b2c3-one-time-transfer-token"


def realistic_event():
    """Shaped like what sentry-sdk's Django integration sends for an error in a
    view, with case content wherever a careless setting would let it through."""
    return {
        "event_id": "5d1f0a9b2c3e4f5a6b7c8d9e0f1a2b3c",
        "timestamp": "2026-12-07T10:15:00.000000Z",
        "level": "error",
        "platform": "python",
        "logger": "django.request",
        "transaction": "/transfer/{token}/",
        "transaction_info": {"source": "route"},
        "server_name": "app-1",
        "environment": "production",
        "release": "chronicle@0.1.0",
        "sdk": {"name": "sentry.python.django", "version": "2.76.0"},
        "tags": {"school": "1"},
        "user": {
            "id": 42,
            "username": "dsl.oakfield",
            "email": "dsl@oakfield.example",
            "ip_address": "203.0.113.7",
        },
        "request": {
            "method": "POST",
            "url": f"https://chronicle.example.org/transfer/{TOKEN}/",
            "query_string": f"q={CHILD}",
            "data": {"description": CONCERN, "pupil_name": CHILD},
            "cookies": {"__Host-sessionid": "s3ss10n"},
            "headers": {
                "User-Agent": "Mozilla/5.0",
                "X-Request-ID": "3f2b9c1e8a7d4c6b",
                "Cookie": "__Host-sessionid=s3ss10n",
                "Referer": f"https://chronicle.example.org/files/?q={CHILD}",
            },
            "env": {"REMOTE_ADDR": "203.0.113.7", "SERVER_NAME": "app-1"},
        },
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "module": "django.db.utils",
                    "value": f"duplicate key: Key (name)=({CHILD}) exists: {CONCERN}",
                    "mechanism": {"type": "django", "handled": False},
                    "stacktrace": {
                        "frames": [
                            {
                                "filename": "records/services.py",
                                "abs_path": "/app/records/services.py",
                                "module": "records.services",
                                "function": "record_concern",
                                "lineno": 120,
                                "in_app": True,
                                "context_line": "    concern.save()",
                                "vars": {
                                    "description": CONCERN,
                                    "pupil": f"<Pupil: {CHILD}>",
                                },
                            }
                        ]
                    },
                }
            ]
        },
        "threads": {
            "values": [
                {
                    "id": 1,
                    "name": "MainThread",
                    "stacktrace": {
                        "frames": [
                            {"function": "run", "lineno": 1, "vars": {"x": CHILD}}
                        ]
                    },
                }
            ]
        },
        "logentry": {
            "message": "Could not notify about %s",
            "params": [CHILD],
            "formatted": f"Could not notify about {CHILD}",
        },
        "breadcrumbs": {
            "values": [
                {
                    "type": "default",
                    "category": "query",
                    "level": "info",
                    "timestamp": "2026-12-07T10:14:59Z",
                    "message": 'SELECT * FROM records_pupil WHERE "name" = %s',
                    "data": {"params": [CHILD]},
                },
                {
                    "category": "django.request",
                    "message": f"Not Found: /transfer/{TOKEN}/",
                },
            ]
        },
        "extra": {"sys.argv": ["gunicorn"], "concern": CONCERN},
        "contexts": {
            "runtime": {"name": "CPython", "version": "3.11.2"},
            "trace": {"trace_id": "abc", "span_id": "def"},
            "response": {"status_code": 500},
            "concern": {"text": CONCERN},
        },
    }


def test_no_case_content_or_secret_survives():
    sent = json.dumps(scrub_event(realistic_event(), {}))
    for secret in (CHILD, "Testchild", CONCERN, TOKEN, "s3ss10n", "203.0.113.7"):
        assert secret not in sent, secret
    assert "dsl.oakfield" not in sent
    assert "dsl@oakfield.example" not in sent


def test_what_a_developer_needs_to_find_the_fault_is_kept():
    event = scrub_event(realistic_event(), {})
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "IntegrityError"
    frame = exception["stacktrace"]["frames"][0]
    assert (frame["filename"], frame["function"], frame["lineno"]) == (
        "records/services.py",
        "record_concern",
        120,
    )
    assert "vars" not in frame
    assert event["request"]["method"] == "POST"
    assert event["request"]["url"] == "/transfer/{token}/"
    assert event["request"]["headers"]["X-Request-ID"] == "3f2b9c1e8a7d4c6b"
    assert event["user"] == {"id": 42}
    assert event["logentry"] == {"message": "Could not notify about %s"}
    assert [crumb["category"] for crumb in event["breadcrumbs"]["values"]] == [
        "query",
        "django.request",
    ]
    assert set(event["contexts"]) == {"runtime", "trace"}
    assert event["level"] == "error"
    assert event["release"] == "chronicle@0.1.0"


def test_an_error_during_a_request_is_tagged_with_its_request_id(rf):
    """So the report and the log lines of the same request can be put together."""
    seen = {}

    def view(request):
        seen["event"] = scrub_event(realistic_event(), {})
        return HttpResponse()

    response = RequestIdMiddleware(view)(rf.get("/"))
    assert seen["event"]["tags"]["request_id"] == response["X-Request-ID"]
    assert seen["event"]["tags"]["school"] == "1"


class Receiver(BaseHTTPRequestHandler):
    """What a Sentry server receives: the SDK's envelopes, decompressed."""

    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    Receiver.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


ERRORS_WITH_CASE_CONTENT = f"""
import logging
import sentry_sdk

def record_concern(description, pupil):
    raise ValueError(f"could not save {{pupil}}: {{description}}")

try:
    record_concern(description={CONCERN!r}, pupil={CHILD!r})
except ValueError:
    sentry_sdk.capture_exception()
logging.getLogger("records").error("Could not notify about %s", {CHILD!r})
sentry_sdk.flush(timeout=10)
"""


def test_what_leaves_for_the_error_service_holds_no_case_content(sentry_server):
    """Production settings with SENTRY_DSN, the real SDK, an error whose message
    and local variables hold a child's name and a concern, and an error logged
    with the name as its argument: what reaches the (loopback) server has the
    error's type and place, and neither."""
    port = sentry_server.server_address[1]
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        ERRORS_WITH_CASE_CONTENT,
        **PRODUCTION_ENV,
        SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/1",
    )
    assert result.returncode == 0, result.stderr
    sent = b"\n".join(Receiver.received).decode()
    assert '"type":"ValueError"' in sent
    assert '"function":"record_concern"' in sent
    assert "Could not notify about %s" in sent
    for secret in (CHILD, "Testchild", CONCERN, "step-dad"):
        assert secret not in sent, secret
