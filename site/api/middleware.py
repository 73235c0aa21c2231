"""What every request under /api/ goes through, whichever view (or none) answers it.

- Refused at once when its path (400) or a query parameter (422, naming it)
  holds a NUL or another control character: PostgreSQL can neither store nor
  search a NUL, and nothing behind the API needs any of them (api.schemas refuses
  them in request bodies). chronicle.middleware, which strips them from the
  site's pages, leaves /api/ to this.
- A path that is no API operation is a problem 404 here, not a page of Wagtail's
  tree (which serves every other path of the site) or Django's HTML.
- Any error that reaches this point without being a problem already (a method not
  allowed, Django's 500 page) is turned into one: clients get JSON, never HTML.

Each call is in the request log like every other request (chronicle.logs: route
pattern, status, the token user's id; never the path's values, the query string or
the body). The audit log records only calls that read or write children's records
(api.services.api_read_record, and the records' own entries).

Place it right after SecurityMiddleware, so that nothing else sees such a path
first and its responses still get the security headers.
"""

import re

from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .problems import is_problem, problem
from .schemas import CONTROL_CHARACTERS

PREFIX = "/api/"
IN_PATH = re.compile(r"[\x00-\x1f\x7f]")
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def _control_characters_in_query(request):
    """{parameter: [message]} for each query parameter holding a control character."""
    return {
        name: [_("Remove the control character (such as NUL): it can't be stored.")]
        for name, values in request.GET.lists()
        if any(CONTROL_CHARACTERS.search(text) for text in (name, *values))
    }


def _route(request):
    """The API route the path names ("api/v1/forms/<int:form_id>"), or None."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    return match.route if match.route.startswith(PREFIX[1:]) else None


DETAILS = {
    400: gettext_lazy("The request could not be read."),
    404: gettext_lazy("Not found."),
    405: gettext_lazy("This method is not allowed here: see the Allow header."),
    500: gettext_lazy(
        "Something went wrong on the server. It has been logged; try again later."
    ),
}


def as_problem(response):
    """The same error as a problem, keeping the headers a client acts on."""
    status = response.status_code
    detail = DETAILS.get(status, _("The request was not carried out."))
    headers = {name: response[name] for name in KEPT_HEADERS if name in response}
    return problem(status, detail, headers=headers)


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(PREFIX):
            return self.get_response(request)
        if IN_PATH.search(request.path_info):
            response = problem(
                400, _("The path holds a control character (such as NUL).")
            )
        elif query_errors := _control_characters_in_query(request):
            response = problem(422, _("The request is not valid."), query_errors)
        elif _route(request) is None:
            response = problem(404, _("There is no such API path."))
        else:
            response = self.get_response(request)
            if response.status_code >= 400 and not is_problem(response):
                response = as_problem(response)
        return response
