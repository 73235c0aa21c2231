"""Error reporting to a Sentry-compatible service (Sentry, GlitchTip), off unless
SENTRY_DSN is set.

An error report leaves the school's systems, so it must carry no case content:
what a form held (request bodies), what was searched for (query strings), cookies
(session ids), the values of local variables, exception messages (a database error
quotes the row: "Key (name)=(…) already exists"), log message arguments and the
SQL parameters in breadcrumbs can all hold a child's name or a concern's text.
scrub_event keeps what a developer needs to find the fault (exception types, the
stack's files, functions and line numbers, the URL pattern, the request id, the
user's id) and drops the rest. It works on an allow-list: a field Sentry adds in a
later version is dropped until someone decides it is safe.
"""

from chronicle.logs import current_request_id

REMOVED = "[removed: may hold case content]"

# Top-level event keys kept as they are: none of them carries request or case data.
SAFE_KEYS = {
    "event_id",
    "timestamp",
    "start_timestamp",
    "level",
    "platform",
    "logger",
    "transaction",
    "transaction_info",
    "server_name",
    "release",
    "environment",
    "dist",
    "sdk",
    "modules",
    "fingerprint",
    "type",
    "tags",
}
SAFE_CONTEXTS = {"trace", "runtime", "os"}
SAFE_FRAME_KEYS = {
    "filename",
    "abs_path",
    "module",
    "function",
    "lineno",
    "colno",
    "in_app",
    "context_line",
    "pre_context",
    "post_context",
}
SAFE_BREADCRUMB_KEYS = {"type", "category", "level", "timestamp"}
SAFE_HEADERS = {"x-request-id", "user-agent"}


def scrub_event(event, hint=None):
    """Sentry's before_send: the event with everything that may hold case content
    removed (see the module docstring). Never returns None: the error is still
    reported."""
    scrubbed = {key: value for key, value in event.items() if key in SAFE_KEYS}
    if "request" in event:
        scrubbed["request"] = _request(event["request"], event.get("transaction"))
    if "user" in event:
        user_id = (event.get("user") or {}).get("id")
        scrubbed["user"] = {"id": user_id} if user_id is not None else {}
    if "contexts" in event:
        scrubbed["contexts"] = {
            name: value
            for name, value in event["contexts"].items()
            if name in SAFE_CONTEXTS
        }
    for key in ("exception", "threads"):
        if key in event:
            scrubbed[key] = {
                "values": [_exception(item) for item in event[key].get("values", [])]
            }
    if "logentry" in event:
        # The message's template (a code string) without its arguments.
        scrubbed["logentry"] = {"message": event["logentry"].get("message", "")}
    elif "message" in event:
        scrubbed["message"] = REMOVED
    if "breadcrumbs" in event:
        crumbs = event["breadcrumbs"]
        values = crumbs.get("values", []) if isinstance(crumbs, dict) else crumbs
        scrubbed["breadcrumbs"] = {
            "values": [
                {k: v for k, v in crumb.items() if k in SAFE_BREADCRUMB_KEYS}
                for crumb in values
            ]
        }
    request_id = current_request_id()
    if request_id:
        scrubbed["tags"] = {**(scrubbed.get("tags") or {}), "request_id": request_id}
    return scrubbed


def _request(request, transaction):
    """Method, the URL pattern (not the path: a transfer link's path is its
    secret token) and two harmless headers; no body, query, cookies or address."""
    headers = request.get("headers") or {}
    return {
        "method": request.get("method"),
        "url": transaction or REMOVED,
        "headers": {
            name: value
            for name, value in headers.items()
            if name.lower() in SAFE_HEADERS
        },
    }


def _exception(item):
    kept = {k: item[k] for k in ("type", "module", "mechanism") if k in item}
    if "value" in item:
        kept["value"] = REMOVED
    stacktrace = item.get("stacktrace")
    if stacktrace:
        kept["stacktrace"] = {
            "frames": [
                {k: v for k, v in frame.items() if k in SAFE_FRAME_KEYS}
                for frame in stacktrace.get("frames", [])
            ]
        }
    return kept


def init_sentry(*, dsn: str, environment: str, release: str | None) -> None:
    """Starts error reporting. Request bodies, local variables and personal data
    are switched off at the source as well as scrubbed; no performance tracing."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0,
        before_send=scrub_event,
        before_send_transaction=lambda event, hint: None,
    )
