"""The body map on a form: an outline to click or tap, and the table of marks
that is the record (and all a keyboard or screen-reader user needs).

Each mark is a row of the table, posted as parallel lists named
`<name>_region` ("front.left_forearm"), `<name>_x`, `<name>_y`,
`<name>_description`, `<name>_size` and `<name>_colour`. Without the script the
page offers a few empty rows to fill in; with it, "Add a mark" and the outline
add rows as they are needed. Rows left wholly empty are ignored; a row with
errors comes back as it was typed."""

from itertools import zip_longest

from django import forms
from django.utils.translation import gettext_lazy as _

from .regions import region_choices
from .svg import figures
from .validation import MAX_MARKS, mark_from_row, marks_from_rows

PARTS = ("region", "x", "y", "description", "size", "colour")
EMPTY_ROWS = 3  # offered without the script (it removes them)


def _blank(row: dict) -> bool:
    return not any((row.get(key) or "").strip() for key in PARTS if key not in "xy")


def row_from_mark(mark: dict) -> dict:
    x, y = mark.get("x"), mark.get("y")
    return {
        "region": f"{mark['view']}.{mark['region']}",
        "x": "" if x is None else str(x),
        "y": "" if y is None else str(y),
        **{key: mark.get(key, "") for key in ("description", "size", "colour")},
    }


class BodyMapWidget(forms.Widget):
    template_name = "records/body_map/widget.html"

    def value_from_datadict(self, data, files, name):
        columns = [data.getlist(f"{name}_{part}") for part in PARTS]
        rows = [
            dict(zip(PARTS, values, strict=True))
            for values in zip_longest(*columns, fillvalue="")
        ]
        return [row for row in rows if not _blank(row)]

    def value_omitted_from_data(self, data, files, name):
        return f"{name}_region" not in data

    def format_value(self, value):
        """Rows to show: as typed (a bound form), or from marks (a draft)."""
        rows = []
        for item in value or []:
            rows.append(row_from_mark(item) if "view" in item else dict(item))
        return rows

    def id_for_label(self, id_):
        return id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = context["widget"]["value"]
        marks = [mark for mark, _errors in map(mark_from_row, rows, range(1, 999))]
        context.update(
            {
                "rows": rows,
                "empty_rows": range(len(rows) + 1, len(rows) + 1 + EMPTY_ROWS),
                "choices": region_choices(),
                "figures": figures(
                    [mark for mark in marks if mark is not None],
                    ident=context["widget"]["attrs"].get("id", name),
                ),
                "max_marks": MAX_MARKS,
            }
        )
        return context


class BodyMapField(forms.Field):
    """Cleans to a list of marks (records.body_map.validation), or explains, mark
    by mark, what to put right."""

    widget = BodyMapWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Body map (optional)"))
        super().__init__(**kwargs)

    def to_python(self, value):
        return list(value or [])

    def validate(self, value):
        # An empty body map is fine; marks are checked in clean().
        pass

    def clean(self, value):
        return marks_from_rows(self.to_python(value))
