"""Fast inserts for the trust generator: rows straight into tables, with ids chosen
here (so related rows can name them before they exist).

PostgreSQL: COPY through psycopg. Anything else (the tiny SQLite run of the tests):
executemany. Rows are dicts keyed by attname; a field left out takes its default, and
a required field left out is an error here rather than a confusing one from the
database.
"""

import json

from django.core.management.color import no_style
from django.db import connection
from django.db.models import NOT_PROVIDED, Max

_MISSING = object()


class Table:
    """Buffered rows for one model's own table (a multi-table child writes only its
    own columns: write the parent's rows with the parent's Table)."""

    def __init__(self, model, batch=20000):
        self.model = model
        self.fields = list(model._meta.local_concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.rows = []
        self.batch = batch
        self.written = 0
        self.next_id = _max_id(model) + 1

    def take_id(self):
        value = self.next_id
        self.next_id += 1
        return value

    def add(self, **values):
        row = []
        for field in self.fields:
            value = values.get(field.attname, _MISSING)
            if value is _MISSING:
                value = _default(self.model, field)
            row.append(_adapt(field, value))
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self):
        if not self.rows:
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                    self.rows,
                )
        self.written += len(self.rows)
        self.rows = []


def _max_id(model):
    pk = model._meta.pk
    if not pk.concrete or pk.remote_field is not None:
        return 0  # a multi-table child: ids come from the parent
    return model._base_manager.aggregate(top=Max("pk"))["top"] or 0


def _default(model, field):
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        raise ValueError(f"{model.__name__}.{field.attname}: give the time")
    if field.default is NOT_PROVIDED and field.blank and field.empty_strings_allowed:
        return ""
    raise ValueError(f"{model.__name__}.{field.attname} is required")


def _adapt(field, value):
    if value is None:
        return None
    if connection.vendor != "postgresql":
        return field.get_db_prep_save(value, connection)
    if field.get_internal_type() == "JSONField":
        return json.dumps(value)
    return value


def reset_sequences(models):
    """After explicit ids: the next ordinary insert takes the next free id."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
