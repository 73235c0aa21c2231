"""A request id on every log line, and one line per request that names no case.

Several app servers, a worker and a scheduler write to one log store; an IT provider
following a failure needs the lines of one request together (the request id, also
sent back in the X-Request-ID response header and passed on by the proxy), and who
made it (the user's id, never a name). Nothing here logs what a request carried:
the access line gives the URL *pattern* and view name, never the path or query
string, which can hold a pupil search or a transfer link's one-time token.

Production writes JSON (python-json-logger: plain stdlib logging with a JSON
formatter, so every library's log lines come out the same way without re-plumbing
them through structlog); development keeps readable text with the same fields.
"""

import logging
import re
import time
import traceback
import uuid
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id may look like to be kept: a UUID, nginx's $request_id (32 hex),
# Caddy's or a load balancer's token. Anything else (too long, spaces, control
# characters that could forge log lines) is replaced by an id of our own.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

_request_id: ContextVar[str | None] = ContextVar("chronicle_request_id", default=None)
_user_id: ContextVar[int | None] = ContextVar("chronicle_user_id", default=None)

access_log = logging.getLogger("chronicle.access")


def current_request_id() -> str | None:
    return _request_id.get()


def request_id_from(header: str | None) -> str:
    """The proxy's id if it is a sane token, else a new one."""
    if header and SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestContextFilter(logging.Filter):
    """Puts request_id and user_id on every record (None outside a request: the
    worker's and the scheduler's lines), so formatters can always name them.

    Django's own request loggers (django.request's "Not Found: /path",
    django.security) pass the request itself and its path: the path of a transfer
    link is its token, and the request's repr, which a JSON formatter writes out,
    holds the query string. Both become the URL pattern."""

    def filter(self, record):
        record.request_id = _request_id.get()
        record.user_id = _user_id.get()
        request = getattr(record, "request", None)
        if hasattr(request, "path") and hasattr(request, "method"):
            # Django logs a 4xx/5xx once the response has left the middleware.
            record.request_id = getattr(request, "request_id", record.request_id)
            _redact_request(record, request)
        return True


def _redact_request(record, request):
    match = getattr(request, "resolver_match", None)
    # A path that matched no URL names nothing of ours; a matched one may carry a
    # token or a record's id: the pattern says where without saying which.
    shown = match.route if match else request.path
    if isinstance(record.args, tuple):
        record.args = tuple(
            shown if arg == request.path else arg for arg in record.args
        )
    record.request = f"{request.method} {shown}"


def exception_without_messages(exc_info) -> str:
    """A traceback with each exception's type and frames (file, line, function) but
    not its message, nor the source lines: the messages carry what the user sent
    (PostgreSQL's "DETAIL: Key (...)=(value)", a ValidationError's text, int()'s
    "invalid literal ... 'Ada'"). Chained exceptions (the psycopg error under
    Django's IntegrityError) are shown the same way. chronicle.sentry does the same
    for error reports."""
    exc_type, exc, _tb = exc_info
    if exc is None:
        return _type_name(exc_type) if exc_type else ""
    chain, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    parts = []
    for exc in reversed(chain):
        lines = ["Traceback (most recent call last):"]
        lines += [
            f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}'
            for frame in traceback.extract_tb(exc.__traceback__)
        ]
        lines.append(_type_name(type(exc)))
        parts.append("\n".join(lines))
    return "\n\nThe above exception led to:\n\n".join(parts)


def _type_name(exc_type) -> str:
    module = exc_type.__module__
    name = exc_type.__qualname__
    return name if module == "builtins" else f"{module}.{name}"


class MessagelessTextFormatter(logging.Formatter):
    """Text lines whose tracebacks name no user input (production's LOG_FORMAT=text)."""

    def format(self, record):
        # Another handler may have cached the full traceback on the record.
        record.exc_text = None
        return super().format(record)

    def formatException(self, ei):
        return exception_without_messages(ei)


class MessagelessJsonFormatter(JsonFormatter):
    """JSON lines (production's default) whose exc_info names no user input."""

    def format(self, record):
        record.exc_text = None
        return super().format(record)

    def formatException(self, ei):
        return exception_without_messages(ei)


class RequestIdMiddleware:
    """First in MIDDLEWARE: sets the request id before anything can log, returns it
    in the response, and writes the access line once the response is known."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        id_token = _request_id.set(request_id)
        user_token = _user_id.set(None)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            _note_user(request)
            match = getattr(request, "resolver_match", None)
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "route": match.route if match else None,
                    "view": match.view_name if match else None,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000),
                },
            )
            return response
        finally:
            _request_id.reset(id_token)
            _user_id.reset(user_token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Every middleware's request half has run: the session's user is known, so
        # the view's own log lines carry the id too.
        _note_user(request)
        return None


def _note_user(request):
    """The user's id, if one is already loaded or signed in; the API sets
    request.user itself once the token is checked."""
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        _user_id.set(user.pk)
