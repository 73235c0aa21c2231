"""The reports' pre-counted figures (ConcernFigure), kept equal to the concerns.

At a million concerns even a hand-written grouped query over the concerns takes
seconds; the report instead sums a few hundred rows per school and year. The rows are
kept in the same transaction as the change to the concern, so a report never shows
yesterday's numbers and a rolled-back change leaves them as they were:

- a concern saved (created, triaged, re-categorised by a merge, moved to another
  school, routed elsewhere) takes its old contribution away and adds its new one;
- a concern deleted (retention, a school's deletion) takes its contribution away.

This module listens to Concern's own save and delete signals because it keeps a
derived index of the concerns, not business rules: every way a concern is written
(services, term merges, imports, the admin) must reach it, and a service-level call
would miss the ones nobody remembered. Bulk writes that bypass the signals
(QuerySet.update, bulk_create, the trust generator's COPY) must call `rebuild()`
afterwards; `manage.py reports_rollup --check` says whether the figures match.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import date, time

from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Value
from django.db.models.functions import Coalesce, ExtractHour
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from records.models import Concern

from .models import ConcernFigure

Dimension = ConcernFigure.Dimension
# Columns of a concern the figures depend on: a save touching none of them (a status
# change, an edited account of what happened) costs nothing here.
COUNTED_FIELDS = (
    "school_id",
    "occurred_on",
    "route",
    "immediate_risk",
    "reporting_category_id",
    "location_id",
    "occurred_at",
)
Cell = tuple[str, int, date, int]  # dimension, school id, day, key


def cells(values: dict) -> list[Cell]:
    """The figures one concern counts in, from its COUNTED_FIELDS values."""
    if values["route"] != Concern.Route.DSL_TEAM:
        return []
    school, day = values["school_id"], values["occurred_on"]
    at: time | None = values["occurred_at"]
    found = [
        (Dimension.ALL.value, school, day, 0),
        (Dimension.CATEGORY.value, school, day, values["reporting_category_id"] or 0),
        (Dimension.LOCATION.value, school, day, values["location_id"] or 0),
        (Dimension.HOUR.value, school, day, -1 if at is None else at.hour),
    ]
    if values["immediate_risk"]:
        found.append((Dimension.URGENT.value, school, day, 0))
    return found


def _values(concern: Concern) -> dict:
    return {name: getattr(concern, name) for name in COUNTED_FIELDS}


def apply(changes: Counter) -> None:
    """Add each cell's change (+1, -1) to its figure, creating it if missing. One
    upsert per cell, in a fixed order so two transactions never deadlock."""
    rows = sorted(
        (dimension, school, day, key, change)
        for (dimension, school, day, key), change in changes.items()
        if change
    )
    if not rows:
        return
    table = connection.ops.quote_name(ConcernFigure._meta.db_table)
    sql = (
        f"INSERT INTO {table} (dimension, school_id, day, key, concerns) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s) "
        "ON CONFLICT (dimension, school_id, day, key) "
        f"DO UPDATE SET concerns = {table}.concerns + excluded.concerns"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _attnames(update_fields) -> set[str]:
    return {Concern._meta.get_field(name).attname for name in update_fields}


@receiver(pre_save, sender=Concern, dispatch_uid="reports_figures_before")
def _before(sender, instance: Concern, raw=False, update_fields=None, **kwargs):
    """Remember what the stored concern counted in (one query, only when a counted
    column may change)."""
    instance._figures_before = None
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not _attnames(update_fields) & set(COUNTED_FIELDS):
        return
    stored = Concern.objects.filter(pk=instance.pk).values(*COUNTED_FIELDS).first()
    instance._figures_before = stored


@receiver(post_save, sender=Concern, dispatch_uid="reports_figures_after")
def _after(sender, instance: Concern, created, raw=False, update_fields=None, **kw):
    if raw:
        return
    before = getattr(instance, "_figures_before", None)
    instance._figures_before = None
    if not created and before is None:
        return  # nothing counted changed
    after = _values(instance)
    if before is not None and update_fields is not None:
        written = _attnames(update_fields)
        after = {
            name: after[name] if name in written else before[name]
            for name in COUNTED_FIELDS
        }
    changes = Counter(cells(after))
    changes.subtract(cells(before) if before else [])
    apply(changes)


@receiver(post_delete, sender=Concern, dispatch_uid="reports_figures_deleted")
def _deleted(sender, instance: Concern, **kwargs):
    changes: Counter = Counter()
    changes.subtract(cells(_values(instance)))
    apply(changes)


def _grouped(concerns, key):
    """The figures of one dimension recounted from the concerns, as a queryset of
    (school, day, key, n)."""
    return (
        concerns.values(s=F("school_id"), d=F("occurred_on"), k=key)
        .annotate(n=Count("pk"))
        .order_by()
    )


def recounted(concern_model=Concern) -> Iterable[tuple[str, object]]:
    """Every dimension's figures as the concerns stand now: (dimension, queryset)."""
    team = concern_model._default_manager.filter(route=Concern.Route.DSL_TEAM)
    zero = Value(0, output_field=IntegerField())
    return [
        (Dimension.ALL.value, _grouped(team, zero)),
        (Dimension.URGENT.value, _grouped(team.filter(immediate_risk=True), zero)),
        (
            Dimension.CATEGORY.value,
            _grouped(team, Coalesce("reporting_category_id", zero)),
        ),
        (Dimension.LOCATION.value, _grouped(team, Coalesce("location_id", zero))),
        (
            Dimension.HOUR.value,
            _grouped(
                team,
                Coalesce(
                    ExtractHour("occurred_at"),
                    Value(-1, output_field=IntegerField()),
                ),
            ),
        ),
    ]


def rebuild(concern_model=Concern, figure_model=ConcernFigure) -> int:
    """Throw the figures away and count them again from the concerns, in one
    transaction: INSERT ... SELECT per dimension, so the rows never pass through
    Python. Takes the models so that a migration can pass its historical ones."""
    table = connection.ops.quote_name(figure_model._meta.db_table)
    made = 0
    with transaction.atomic(), connection.cursor() as cursor:
        figure_model._default_manager.all().delete()
        for dimension, grouped in recounted(concern_model):
            select, params = grouped.query.sql_with_params()
            cursor.execute(
                f"INSERT INTO {table} (dimension, school_id, day, key, concerns) "  # noqa: S608
                f"SELECT %s, g.s, g.d, g.k, g.n FROM ({select}) g",
                (dimension, *params),
            )
            made += cursor.rowcount
    return made


def differences() -> list[tuple[Cell, int, int]]:
    """Figures that differ from a recount: (cell, stored, recounted); none when
    the rollups are right. Zero rows left by deletions count as absent."""
    stored = {
        (row.dimension, row.school_id, row.day, row.key): row.concerns
        for row in ConcernFigure.objects.exclude(concerns=0)
    }
    fresh = {
        (dimension, row["s"], row["d"], row["k"]): row["n"]
        for dimension, grouped in recounted()
        for row in grouped
    }
    return sorted(
        (cell, stored.get(cell, 0), fresh.get(cell, 0))
        for cell in stored.keys() | fresh.keys()
        if stored.get(cell, 0) != fresh.get(cell, 0)
    )
