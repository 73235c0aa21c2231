"""What a body map holds, checked the same way wherever marks come from: the web
form's table of marks, the API, or a record saved by code (the model validator).

A body map is a list of marks, each a dict with exactly these keys:

    {"view": "front" | "back", "region": "left_forearm",
     "x": 0–100 or None, "y": 0–100 or None,
     "description": "…", "size": "…", "colour": "…"}

`x` and `y` say where on the outline it was placed, in percent of the figure's
width and height; they are None when the part of the body was chosen from the
list (the mark is then drawn at the middle of that part).
"""

import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .regions import BY_CODE, View, region_label

MAX_MARKS = 40
MAX_DESCRIPTION = 500
MAX_WORDS = 100  # size and colour
KEYS = ("view", "region", "x", "y", "description", "size", "colour")
TEXT_KEYS = ("description", "size", "colour")


def _coordinate(value) -> float | None:
    """A position as posted or sent: empty, or a number from 0 to 100."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    number = float(value)  # ValueError or TypeError for anything else
    if not math.isfinite(number) or not 0 <= number <= 100:
        raise ValueError
    return round(number, 1)


def _check_texts(mark: dict, where: str) -> list[str]:
    errors = []
    if not mark["description"].strip():
        errors.append(_("%(mark)s: describe what you saw.") % {"mark": where})
    elif len(mark["description"]) > MAX_DESCRIPTION:
        errors.append(
            _("%(mark)s: the description can be at most %(max)d characters.")
            % {"mark": where, "max": MAX_DESCRIPTION}
        )
    for key, name in (("size", _("size")), ("colour", _("colour"))):
        if len(mark[key]) > MAX_WORDS:
            errors.append(
                _("%(mark)s: the %(what)s can be at most %(max)d characters.")
                % {"mark": where, "what": name, "max": MAX_WORDS}
            )
    return errors


def _name(number: int, mark: dict) -> str:
    label = region_label(mark["view"], mark["region"])
    return str(_("Mark %(n)d (%(where)s)") % {"n": number, "where": label})


def mark_from_row(row: dict, number: int) -> tuple[dict | None, list[str]]:
    """One row of the form's table (strings as posted, "region" as
    "front.left_forearm") as a mark, or the reasons it can't be one."""
    view, _dot, code = (row.get("region") or "").partition(".")
    if view not in View.values or code not in BY_CODE:
        return None, [
            str(_("Mark %(n)d: choose the part of the body.") % {"n": number})
        ]
    mark = {
        "view": view,
        "region": code,
        **{key: (row.get(key) or "").strip() for key in TEXT_KEYS},
    }
    try:
        mark["x"], mark["y"] = _coordinate(row.get("x")), _coordinate(row.get("y"))
    except (TypeError, ValueError):
        mark["x"] = mark["y"] = None  # the part of the body chosen is what counts
    if (mark["x"] is None) != (mark["y"] is None):
        mark["x"] = mark["y"] = None
    errors = [str(e) for e in _check_texts(mark, _name(number, mark))]
    return ({key: mark[key] for key in KEYS}, errors)


def marks_from_rows(rows: list[dict]) -> list[dict]:
    """The form's rows (blank ones already left out) as marks, or a
    ValidationError naming each mark at fault by its number and place."""
    if len(rows) > MAX_MARKS:
        raise ValidationError(
            _("Record at most %(max)d marks on one body map.") % {"max": MAX_MARKS}
        )
    marks, errors = [], []
    for number, row in enumerate(rows, start=1):
        mark, problems = mark_from_row(row, number)
        errors.extend(problems)
        if mark is not None:
            marks.append(mark)
    if errors:
        raise ValidationError(errors)
    return marks


def validate_body_map(value) -> None:
    """The model's check: a stored body map has exactly the shape above, whoever
    wrote it."""
    if not isinstance(value, list):
        raise ValidationError(_("A body map is a list of marks."))
    if len(value) > MAX_MARKS:
        raise ValidationError(
            _("Record at most %(max)d marks on one body map.") % {"max": MAX_MARKS}
        )
    errors: list[str] = []
    for number, mark in enumerate(value, start=1):
        errors.extend(_stored_mark_errors(mark, number))
    if errors:
        raise ValidationError(errors)


def _stored_mark_errors(mark, number: int) -> list[str]:
    if not isinstance(mark, dict) or set(mark) != set(KEYS):
        return [
            str(
                _("Mark %(n)d must have exactly: %(keys)s.")
                % {"n": number, "keys": ", ".join(KEYS)}
            )
        ]
    if mark["view"] not in View.values or mark["region"] not in BY_CODE:
        return [str(_("Mark %(n)d: choose the part of the body.") % {"n": number})]
    if not all(isinstance(mark[key], str) for key in TEXT_KEYS):
        return [str(_("Mark %(n)d: the words must be text.") % {"n": number})]
    try:
        placed = (_coordinate(mark["x"]), _coordinate(mark["y"]))
    except (TypeError, ValueError):
        placed = (None, 0.0)
    if (placed[0] is None) != (placed[1] is None):
        return [
            str(
                _("Mark %(n)d: x and y are both numbers from 0 to 100, or both empty.")
                % {"n": number}
            )
        ]
    return [str(e) for e in _check_texts(mark, _name(number, mark))]
