"""Tables in the admin drawn by Wagtail's table component (wagtail.admin.ui.tables),
with cells our templates draw: a listing states its columns once, and every table
gets Wagtail's markup, headers and row attributes."""

from django.middleware.csrf import get_token
from wagtail.admin.ui.tables import BaseColumn, Table


class TemplateColumn(BaseColumn):
    """A column whose cells `<folder>/<name>.html` draws from `instance` (the row's
    object) and `column` (this column, with any `extra` given as attributes).

    A cell may hold a form: the page's CSRF token is passed on. `hidden_label`
    keeps the header for screen readers only (a column of buttons)."""

    def __init__(self, name, label, *, folder: str, hidden_label=False, **extra):
        super().__init__(name, label=label)
        self.cell_template_name = f"{folder}/{name}.html"
        if hidden_label:
            self.header_template_name = "chronicle/tables/hidden_header.html"
        for key, value in extra.items():
            setattr(self, key, value)

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        if request is not None:  # the table's context holds the request, not the token
            context["csrf_token"] = get_token(request)
        return context


class AttrsTable(Table):
    """Wagtail's Table with attributes on each row too: `row_attrs` is a dict, or a
    callable (row object) -> dict (a class for an unread row, say)."""

    def __init__(self, columns, data, *, row_attrs=None, **kwargs):
        super().__init__(columns, data, **kwargs)
        self.row_attrs = row_attrs or {}

    def get_row_attrs(self, instance):
        extra = self.row_attrs(instance) if callable(self.row_attrs) else self.row_attrs
        return {**super().get_row_attrs(instance), **extra}


def template_columns(folder: str, *columns, **options) -> list[TemplateColumn]:
    """A table's columns, each (name, label), their cells in `folder`."""
    return [
        TemplateColumn(name, label, folder=folder, **options) for name, label in columns
    ]
