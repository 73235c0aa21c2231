"""Reading what a bundle sent: every value is checked for its type and cut to
the field's length, so a bundle from a newer or careless sender never fails a
save half-way (and never crashes the import)."""

from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.translation import gettext as _

from records.models import KeyPerson


def at_of(entry: dict) -> datetime:
    at = parse_datetime(str(entry.get("at") or ""))
    if at is None:
        raise ValidationError(_("An entry in the bundle has no valid date."))
    return at


def text(value: Any, limit: int | None = None) -> str:
    text = value if isinstance(value, str) else ""
    return text[:limit] if limit else text


def listed(value: Any) -> list:
    return value if isinstance(value, list) else []


def choice(value: Any, choices: Any, default: Any) -> Any:
    return value if value in choices.values else default


def cycle(record: dict) -> int:
    cycle = record.get("cycle")
    return cycle if isinstance(cycle, int) and 0 < cycle < 1000 else 1


def date_of(value: Any) -> date | None:
    try:
        return parse_date(value) if isinstance(value, str) else None
    except ValueError:
        return None


def time_of(value: Any) -> time | None:
    try:
        return parse_time(value) if isinstance(value, str) else None
    except ValueError:
        return None


def datetime_of(value: Any) -> datetime | None:
    try:
        return parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None


def key_role(label: object) -> str:
    roles = {str(choice.label).lower(): choice.value for choice in KeyPerson.Role}
    return roles.get(str(label or "").lower(), KeyPerson.Role.OTHER)


def email(value: object) -> str:
    value = str(value or "")[:254]
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value
