"""Every error the API returns is an RFC 9457 problem: `application/problem+json`
with type, title, status and detail, and `errors` ({field: [messages]}, empty when
nothing is wrong with one field in particular).

The `errors` member predates problem details (version 1 promised clients one error
shape): it stays, so a client written against the old shape keeps working. `type`
is "about:blank" throughout: the status says what kind of problem it is, `detail`
says what happened, and `errors` which fields are at fault.

The handlers here turn the exceptions an endpoint raises into problems;
api.middleware does the same for whatever reaches /api/ without passing through an
endpoint (an unknown path, a method not allowed, a server error).
"""

import difflib
import math
from http import HTTPStatus

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as RequestInvalid

from . import schemas, services

CONTENT_TYPE = "application/problem+json"


def problem(status, detail, errors=None, headers=None):
    """A problem response for `status`."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:  # a status Python doesn't name
        title = "Error"
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": str(detail),
        "errors": errors or {},
    }
    response = JsonResponse(body, status=status, content_type=CONTENT_TYPE)
    if status == HTTPStatus.UNAUTHORIZED:
        response["WWW-Authenticate"] = "Bearer"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def is_problem(response):
    return response.get("Content-Type", "").startswith(CONTENT_TYPE)


def install(api):
    """Register the problem handlers on the NinjaAPI `api`."""
    handlers = {
        HttpError: http_error,
        Http404: not_found,
        RequestDataTooBig: too_big,
        PermissionDenied: forbidden,
        RequestInvalid: request_invalid,
        services.SubmissionRefused: submission_refused,
        services.SubmissionConflict: submission_conflict,
    }
    for exception, handler in handlers.items():
        api.add_exception_handler(exception, handler)


def http_error(request, exc):
    headers = {}
    detail = str(exc)
    if isinstance(exc, Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(math.ceil(exc.wait))
    if isinstance(exc, AuthenticationError) and detail == "Unauthorized":
        detail = _("Invalid or missing API token.")  # no Authorization header at all
    return problem(exc.status_code, detail, headers=headers)


def not_found(request, exc):
    return problem(404, _("Not found."))


def too_big(request, exc):
    return problem(413, _("The request is too large."))


def forbidden(request, exc):
    return problem(403, str(exc) or _("You may not do this."))


def _location(loc):
    # ("body", "payload", "pupils", 0, "role") -> "pupils.0.role"
    parts = [str(part) for part in loc[1:]]
    if loc and loc[0] == "body" and parts:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


KNOWN_FIELDS = sorted(
    {
        *schemas.ConcernIn.model_fields,
        *schemas.InvolvementIn.model_fields,
        *schemas.BodyMarkIn.model_fields,
    }
)


def _message(error):
    """Pydantic's message, except for a field the schema doesn't have: that one is
    named, with the field the client probably meant (`action_taken`)."""
    if error.get("type") != "extra_forbidden":
        return error["msg"]
    name = str(error.get("loc", ("",))[-1])
    known = error.get("ctx", {}).get("known", KNOWN_FIELDS)
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return _("There is no field called “%(name)s”: did you mean “%(close)s”?") % {
            "name": name,
            "close": close[0],
        }
    return _("There is no field called “%(name)s”.") % {"name": name}


def request_invalid(request, exc):
    errors = {}
    for error in exc.errors:
        errors.setdefault(_location(error.get("loc", ())), []).append(_message(error))
    return problem(422, _("The request is not valid."), errors)


def submission_refused(request, exc):
    return problem(422, _("The concern was not saved: see each field."), exc.errors)


def submission_conflict(request, exc):
    return problem(409, exc.detail)
