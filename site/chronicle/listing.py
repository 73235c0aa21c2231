"""A listing page on Wagtail's generic listing view (wagtail.admin.views.generic):
its paging (the page's `?page=` or `?p=`, a page past the end shows the last), its
optional django-filter filter set and its table component, with what our listings
add: attributes on the table and on each row, and rows built from the page's objects
in one go (so a page costs the same queries however long the list).

A subclass gives `template_name`, `columns` (chronicle.tables.TemplateColumn),
`get_base_queryset()` (from a selector: the permission filter stays there), and if
it needs them `table_attrs`, `row_attrs(row)` and `get_rows(objects)`. Its template
shows `{% component table %}` and the pagination of `page_obj`."""

from typing import Any

from wagtail.admin.views.generic.base import BaseListingView

from .tables import AttrsTable

PAGE_SIZE = 50


class ListingView(BaseListingView):
    paginate_by = PAGE_SIZE
    page_kwarg = "page"
    table_attrs: dict[str, str | bool] = {}
    rows: list[Any] = []

    def post(self, request, *args, **kwargs):
        # A POST reads the same page, as the function views these replaced did (the
        # permission matrix in tests/security holds them to it); a page with a form
        # of its own overrides this.
        return self.get(request, *args, **kwargs)

    def get_rows(self, objects: list[Any]) -> list[Any]:
        return objects

    def row_attrs(self, row: Any) -> dict[str, str | bool]:
        return {}

    def get_table(self, object_list):
        self.rows = self.get_rows(list(object_list))
        return AttrsTable(
            self.columns, self.rows, attrs=self.table_attrs, row_attrs=self.row_attrs
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, "page": context["page_obj"], "rows": self.rows}
