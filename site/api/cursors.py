"""Cursor pagination: an opaque, signed cursor holding the sort values of the last
row a page gave, so the next page starts after it (keyset) whatever was added or
removed meanwhile. Tampered or foreign cursors are refused (CursorInvalid)."""

from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet

SALT = "chronicle.api.cursor"


class CursorInvalid(ValueError):
    pass


def encode(kind: str, values: list[Any]) -> str:
    return signing.dumps({"k": kind, "v": values}, salt=SALT, compress=True)


def decode(kind: str, cursor: str) -> list[Any]:
    try:
        data = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        raise CursorInvalid(cursor) from None
    if not isinstance(data, dict) or data.get("k") != kind:
        raise CursorInvalid(cursor)
    return list(data.get("v") or [])


def after(ordering: list[str], values: list[Any]) -> Q:
    """The rows that come after `values` in `ordering` (fields, "-" for
    descending; the last one unique, e.g. "pk")."""
    if len(values) != len(ordering):
        raise CursorInvalid("")
    query = Q(pk__in=[])
    for index, name in enumerate(ordering):
        field = name.lstrip("-")
        step = Q(
            **{f"{field}__{'lt' if name.startswith('-') else 'gt'}": values[index]}
        )
        for earlier, value in zip(ordering[:index], values[:index], strict=True):
            step &= Q(**{earlier.lstrip("-"): value})
        query |= step
    return query


def page(
    queryset: QuerySet,
    *,
    kind: str,
    ordering: list[str],
    limit: int,
    cursor: str,
    offset: int = 0,
) -> tuple[list[Any], str | None]:
    """(rows of this page, the cursor of the next page or None). `offset` only
    for the lists that had offset pages before cursors (GET /concerns)."""
    if cursor:
        queryset = queryset.filter(after(ordering, decode(kind, cursor)))
    rows = list(queryset.order_by(*ordering)[offset : offset + limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    values = [_value(last, name.lstrip("-")) for name in ordering]
    return rows, encode(kind, values)


def _value(row: Any, field: str) -> Any:
    value = getattr(row, field.replace("__", "_") if field != "pk" else "pk")
    return value.isoformat() if hasattr(value, "isoformat") else value
