"""Control characters (NUL above all) kept out of every page of the site.

PostgreSQL refuses NUL in text and JSON ("A string literal cannot contain NUL"), so a
NUL that reached a query or a save answered 500: a search box, a draft autosave,
the two-factor reset search. An XLSX or PDF cannot hold the other C0 characters
either. Nobody types them; they arrive by fuzzing, by attack or pasted from odd
documents. Checking each view would miss the next one, so this runs first:

- a path with a control character is refused (400): no page of ours has one;
- form fields and query strings have them taken out (tab, line feed and carriage
  return stay), so a concern pasted from a strange document is still sent and a
  search still answers: nothing the person meant is lost;
- a JSON body (the admin's own scripts) holding one is refused (400).

The JSON API under /api/ answers its own errors (problem details) and is left to it.
"""

import json
import re

from django.core.exceptions import BadRequest
from django.http import QueryDict

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
IN_PATH = re.compile(r"[\x00-\x1f\x7f]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
LEFT_ALONE = ("/api/",)


def without_control_characters(text):
    """The text with NUL and the other C0 control characters (but tab, line feed
    and carriage return) taken out."""
    return CONTROL_CHARACTERS.sub("", text)


def _cleaned(query):
    """A copy of a QueryDict without control characters, or None if it has none."""
    if not any(
        CONTROL_CHARACTERS.search(key)
        or any(CONTROL_CHARACTERS.search(value) for value in query.getlist(key))
        for key in query
    ):
        return None
    clean = QueryDict(mutable=True, encoding=query.encoding)
    for key in query:
        for value in query.getlist(key):
            clean.appendlist(
                without_control_characters(key), without_control_characters(value)
            )
    clean._mutable = False
    return clean


def _holds_control_characters(value):
    if isinstance(value, str):
        return bool(CONTROL_CHARACTERS.search(value))
    if isinstance(value, dict):
        return any(
            _holds_control_characters(k) or _holds_control_characters(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_holds_control_characters(item) for item in value)
    return False


class ControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(LEFT_ALONE):
            return self.get_response(request)
        if IN_PATH.search(request.path_info):
            raise BadRequest("Control character in the path.")
        clean = _cleaned(request.GET)
        if clean is not None:
            request.GET = clean
        if request.method in ("POST", "PUT", "PATCH"):
            self._clean_body(request)
        return self.get_response(request)

    @staticmethod
    def _clean_body(request):
        if request.method == "POST" and request.content_type in FORM_TYPES:
            clean = _cleaned(request.POST)
            if clean is not None:
                request.POST = clean
        elif request.content_type == "application/json" and request.body:
            try:
                held = _holds_control_characters(json.loads(request.body))
            except (ValueError, RecursionError):
                return  # not JSON it can read: the view says what is wrong with it
            if held:
                raise BadRequest("Control character in a JSON body.")
