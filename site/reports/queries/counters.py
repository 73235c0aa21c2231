"""Where the tables about the concerns themselves get their counts: from the
concerns (LiveCounter), or from the pre-counted figures (FigureCounter).

A section marked `@counted` asks its counter for grouped rows, naming its groups
through a function of the counter (`lambda c: {"month": TruncMonth(c.day)}`), so one
section reads either source and gives the same rows. The figures hold the DSL team's
concerns at each school; what a viewer sees differs from that by a few concerns only
(concerns about adults they are case manager of, added; concerns naming them, taken
away), and those are counted live and merged in, so every viewer's figures are exactly
those of the live count under their own permissions.
"""

from collections.abc import Callable

from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractHour, NullIf

from records.models import Concern
from records.selectors import concerns_naming

from ..models import ConcernFigure
from .base import both_periods

Dimension = ConcernFigure.Dimension
Groups = Callable[["LiveCounter | FigureCounter"], dict]


class LiveCounter:
    """Counts straight from the report's concerns (already filtered to the viewer,
    the schools, the dates and the categories)."""

    day = "occurred_on"
    school = "school_id"

    def __init__(self, concerns: QuerySet[Concern], params) -> None:
        self.concerns = concerns
        self.params = params

    def key(self, dimension: str):
        return {
            Dimension.CATEGORY: F("reporting_category_id"),
            Dimension.LOCATION: F("location_id"),
            Dimension.HOUR: ExtractHour("occurred_at"),
        }[dimension]

    def totals(self) -> dict:
        """All concerns and those reported as immediate risk, in one query."""
        params = self.params

        def urgent(period):
            return Count(
                "pk",
                filter=Q(
                    immediate_risk=True,
                    occurred_on__range=(period.start, period.end),
                ),
            )

        return self.concerns.aggregate(
            **both_periods(params),
            urgent_current=urgent(params.period),
            urgent_previous=urgent(params.previous),
        )

    def rows(self, dimension: str, groups: Groups) -> list[dict]:
        concerns = self.concerns
        if dimension == Dimension.URGENT:
            concerns = concerns.filter(immediate_risk=True)
        made = groups(self)
        if not made:
            return [concerns.aggregate(**both_periods(self.params))]
        return nonzero(
            concerns.values(**made)
            .annotate(**both_periods(self.params))
            # order_by() also drops the model's ordering from GROUP BY.
            .order_by()
        )


class FigureCounter:
    """Counts from ConcernFigure, corrected to exactly what the viewer may see."""

    day = "day"
    school = "school_id"

    def __init__(self, concerns: QuerySet[Concern], params, *, viewer) -> None:
        self.params = params
        team = Concern.Route.DSL_TEAM
        # Seen by the viewer but not in the figures: concerns about adults.
        added = concerns.exclude(route=team)
        # In the figures but never shown to the viewer: concerns naming them.
        taken = Concern.objects.filter(
            route=team,
            school__in=params.schools,
            occurred_on__range=params.covering,
            pk__in=concerns_naming(viewer),
        )
        # One small query says which corrections there are (routes of either set).
        routes = set(
            added.order_by()
            .values_list("route", flat=True)
            .union(taken.order_by().values_list("route", flat=True))
        )
        self.corrections = [
            (sign, LiveCounter(qs, params))
            for sign, qs, found in (
                (1, added, bool(routes - {team})),
                (-1, taken, team in routes),
            )
            if found
        ]

    def key(self, dimension: str):
        # 0 stands for "none" (a concern with no place), -1 for "no time".
        empty = -1 if dimension == Dimension.HOUR else 0
        return NullIf(F("key"), Value(empty))

    def _figures(self, dimension: str, groups: dict, urgent=False) -> list[dict]:
        """Rows of one dimension (and of "urgent" too, when asked) of the chosen
        schools over both periods, grouped, each period summed."""
        params = self.params
        dimensions = [dimension, Dimension.URGENT] if urgent else [dimension]

        def total(period):
            return Coalesce(
                Sum("concerns", filter=Q(day__range=(period.start, period.end))),
                0,
            )

        figures = ConcernFigure.objects.filter(
            dimension__in=dimensions,
            school__in=[school.pk for school in params.schools],
            day__range=params.covering,
        )
        counts = {"current": total(params.period), "previous": total(params.previous)}
        if not groups:
            return [figures.aggregate(**counts)]
        return list(figures.values(**groups).annotate(**counts).order_by())

    def totals(self) -> dict:
        """All concerns and those reported as immediate risk: one query over both
        dimensions of the figures, and one per correction."""
        found = {"current": 0, "previous": 0, "urgent_current": 0}
        found["urgent_previous"] = 0
        rows = self._figures(Dimension.ALL, {"which": F("dimension")}, urgent=True)
        for row in rows:
            prefix = "urgent_" if row["which"] == Dimension.URGENT else ""
            found[f"{prefix}current"] += row["current"]
            found[f"{prefix}previous"] += row["previous"]
        for sign, live in self.corrections:
            for name, count in live.totals().items():
                found[name] += sign * count
        return found

    def rows(self, dimension: str, groups: Groups) -> list[dict]:
        made = groups(self)
        merged: dict[tuple, dict] = {}
        sources = [(1, self._figures(dimension, made))] + [
            (sign, live.rows(dimension, groups)) for sign, live in self.corrections
        ]
        for sign, rows in sources:
            for row in rows:
                key = tuple(row[name] for name in made)
                entry = merged.setdefault(
                    key, {**{n: row[n] for n in made}, "current": 0, "previous": 0}
                )
                entry["current"] += sign * row["current"]
                entry["previous"] += sign * row["previous"]
        return nonzero(merged.values()) if made else list(merged.values())


def nonzero(rows) -> list[dict]:
    """Groups with something counted in either period (a concern dated between a
    term and the term compared with counts in neither)."""
    return [row for row in rows if row["current"] or row["previous"]]


def counter_for(concerns: QuerySet[Concern], params, *, viewer=None):
    """The figures when they can answer (a viewer is known and no category is
    chosen: the figures are not split by category and place together); otherwise
    the live concerns, filtered by the category each concern is reported under."""
    if viewer is not None and not params.categories:
        return FigureCounter(concerns, params, viewer=viewer)
    return LiveCounter(concerns, params)
