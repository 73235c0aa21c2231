"""Fast inserts for the trust generator: rows straight into tables, with ids chosen
here (so related rows can name them before they exist).

PostgreSQL: COPY through psycopg. Anything else (the tiny SQLite run of the tests):
executemany. Rows are dicts keyed by attname; a field left out takes its default, and
a required field left out is an error here rather than a confusing one from the
database.
"""

import json

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

_MISSING = object()
# What SQLite needs converted (PostgreSQL's COPY takes the Python values as they are;
# Viewflow's own fields are given as their stored strings).
_CONVERTED = (models.DateField, models.TimeField, models.UUIDField, models.DecimalField)


class Table:
    """Buffered rows for one model's own table (a multi-table child writes only its
    own columns: write the parent's rows with the parent's Table)."""

    def __init__(self, model, batch=20000):
        self.model = model
        self.fields = list(model._meta.local_concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.postgres = connection.vendor == "postgresql"
        # Per column: (attname, default, adapter), worked out once.
        self.plan = [
            (f.attname, _default(model, f), self._adapter(f)) for f in self.fields
        ]
        self.rows = []
        self.batch = batch
        self.written = 0
        self.next_id = _max_id(model) + 1

    def _adapter(self, field):
        if field.get_internal_type() == "JSONField":
            return json.dumps
        if not self.postgres and isinstance(field, _CONVERTED):
            return lambda value: field.get_db_prep_save(value, connection)
        return _same

    def take_id(self):
        value = self.next_id
        self.next_id += 1
        return value

    def add(self, **values):
        row = []
        for attname, default, adapt in self.plan:
            value = values.get(attname, default)
            if value is _MISSING:
                raise ValueError(f"{self.model.__name__}.{attname} is required")
            row.append(None if value is None else adapt(value))
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self):
        if not self.rows:
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if self.postgres:
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


def _same(value):
    return value


def _max_id(model):
    pk = model._meta.pk
    if not pk.concrete or pk.remote_field is not None:
        return 0  # a multi-table child: ids come from the parent
    return model._base_manager.aggregate(top=Max("pk"))["top"] or 0


def _default(model, field):
    """The value a row takes when it leaves the field out (_MISSING: required)."""
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.blank and field.empty_strings_allowed:
        return ""
    return _MISSING


def reset_sequences(models):
    """After explicit ids: the next ordinary insert takes the next free id."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
