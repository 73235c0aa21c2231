"""The audit log in the admin, for DSLs, heads and the trust's leads: every entry
about their schools' records, filterable, per object and per person, exportable as
CSV (the export is itself logged). A head or trust lead sees which fields changed,
not their values (oversight.selectors). Anyone else gets a 404; so does an object
or person not at their schools. Each page runs a fixed number of queries, however
long the log.

Wagtail's generic listing view does the paging, the filter set and the table
(wagtail.admin.ui.tables); its spreadsheet mixin writes the CSV, streamed, every cell
through chronicle.spreadsheets."""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import BaseColumn
from wagtail.admin.views.generic.base import BaseListingView
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from audit.models import AuditAction
from audit.scopes import SCHOOL_SCOPES
from audit.services import security_event
from chronicle import spreadsheets
from chronicle.listing import ListingView
from chronicle.tables import template_columns

from .forms import AuditFilterSet, content_type_label
from .selectors import (
    AuditScope,
    break_glass_register_for,
    break_glass_rows,
    can_browse_audit_log,
    can_see_break_glass_register,
    entries_in_full,
    entries_named,
    entries_visible_to,
    people_at_audit_schools,
)

PAGE_SIZE = 50


def _event(entry, data):
    """The event's name; for a refused request, what was asked for (URL name and
    object id: audit.refusals)."""
    if not isinstance(data, dict):
        return ""
    event = data.get("event", "")
    if entry.action == AuditAction.ACCESS_DENIED and data.get("url_name"):
        asked = data.get("object") or {}
        event = f"{event}: {data['url_name']}"
        if asked.get("id"):
            event += f" #{asked['id']}"
    return event


def _changes(entry):
    return entry.changes_dict if entry.action < entry.Action.ACCESS else {}


RESTRICTED = gettext_lazy("a restricted record")


def _record_name(entry, named):
    return entry.object_repr if named else str(RESTRICTED)


def _row(entry, *, in_full, named):
    """in_full: the values of what changed may be shown (a DSL's own school);
    otherwise only the names of the fields that changed. named: the record may be
    named (not restricted to other people)."""
    data = entry.additional_data or {}
    changes = _changes(entry)
    return {
        "entry": entry,
        "record_name": _record_name(entry, named),
        "kind": content_type_label(entry.content_type),
        "event": _event(entry, data),
        "in_full": in_full,
        "changes": [
            (field, values[0] if len(values) > 1 else "", values[-1])
            if in_full
            else (field, "", "")
            for field, values in changes.items()
            if isinstance(values, list)
        ],
        "object_url": reverse(
            "oversight:audit_log_object", args=[entry.content_type_id, entry.object_pk]
        ),
    }


class EntryColumn(BaseColumn):
    """A column of the entries table: templates/oversight/cells/<name>.html draws
    each cell from the row (_row: the entry and what is read from it)."""

    def __init__(self, name, label):
        super().__init__(name, label=label)
        self.cell_template_name = f"oversight/cells/{name}.html"


COLUMNS = [
    EntryColumn("when", gettext_lazy("When")),
    EntryColumn("who", gettext_lazy("Who")),
    EntryColumn("action", gettext_lazy("Action")),
    EntryColumn("record", gettext_lazy("Record")),
    EntryColumn("details", gettext_lazy("Details")),
    EntryColumn("address", gettext_lazy("Address")),
]


class AuditLogMixin:
    """The log a DSL may read: everything, one record's or one person's (the scope),
    narrowed by the filter set. A filter the form could not read shows nothing."""

    filterset_class = AuditFilterSet
    page_kwarg = "p"

    def dispatch(self, request, *args, **kwargs):
        if not can_browse_audit_log(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        # A POST reads the same page, as the function views it replaced did (the
        # permission matrix in tests/security expects it).
        return self.get(request, *args, **kwargs)

    @cached_property
    def scope(self):
        return AuditScope()

    def get_base_queryset(self):
        return entries_visible_to(self.request.user, self.scope)

    def filter_queryset(self, queryset):
        # Always bound: every filter is optional, so no query string is a valid "all".
        if not self.filters.is_valid():
            return queryset.none()
        return self.filters.filter_queryset(queryset)


class CappedPaginator(WagtailPaginator):
    """Counts at most CAP entries: counting a trust's whole audit log for the pager
    read the entire index on every page (4 s at 100,000 concerns). Beyond the cap
    the page says "more than" and the date filters reach older entries."""

    CAP = 10_000
    cap_label = f"{CAP:,}"

    @cached_property
    def count(self):
        return self.object_list.order_by().values("pk")[: self.CAP + 1].count()

    @property
    def capped(self):
        return self.count > self.CAP


class AuditLogView(AuditLogMixin, BaseListingView):
    template_name = "oversight/log.html"
    paginate_by = PAGE_SIZE
    paginator_class = CappedPaginator
    columns = COLUMNS
    export_url_name = "oversight:audit_log_export"
    header_icon = "history"

    def get_page_title(self):
        return _("Audit log")

    def get_csv_url(self):
        return reverse(self.export_url_name, kwargs=self.kwargs)

    def get_table(self, object_list):
        entries = list(object_list)
        in_full = entries_in_full(self.request.user, entries)
        named = entries_named(self.request.user, entries)
        self.rows = [
            _row(entry, in_full=entry.pk in in_full, named=entry.pk in named)
            for entry in entries
        ]
        return self.table_class(
            self.columns, self.rows, attrs={"data-audit-entries": ""}
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.get_page_title(),
            form=self.filters.form,
            page=context["page_obj"],
            rows=self.rows,
            export_url=f"{self.get_csv_url()}?{self.request.GET.urlencode()}",
            subject=None,
        )
        return context


def _scoped_content_type(content_type_id):
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    if f"{content_type.app_label}.{content_type.model}" not in SCHOOL_SCOPES:
        raise Http404
    return content_type


class RecordScopeMixin:
    """One record's history, if it is at one of the DSL's schools."""

    @cached_property
    def scope(self):
        content_type = _scoped_content_type(self.kwargs["content_type_id"])
        return AuditScope(content_type=content_type, object_pk=self.kwargs["object_pk"])


class PersonScopeMixin:
    """What one person did, and what happened to their account, at the DSL's
    schools."""

    @cached_property
    def person(self):
        people = people_at_audit_schools(self.request.user)
        return get_object_or_404(people, pk=self.kwargs["user_id"])

    @cached_property
    def scope(self):
        return AuditScope(about_user=self.person)


class ObjectHistoryView(RecordScopeMixin, AuditLogView):
    export_url_name = "oversight:audit_log_object_export"

    def get(self, request, *args, **kwargs):
        # As a page of its own: a record with no entry the DSL may see is not found.
        self.first = entries_visible_to(request.user, self.scope).first()
        if self.first is None:
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return _("History of %(kind)s %(name)s") % {
            "kind": content_type_label(self.scope.content_type).lower(),
            "name": _record_name(
                self.first, bool(entries_named(self.request.user, [self.first]))
            ),
        }


class PersonHistoryView(PersonScopeMixin, AuditLogView):
    export_url_name = "oversight:audit_log_person_export"

    def get_page_title(self):
        return _("Audit log: %(name)s") % {"name": self.person}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "subject": self.person}


# -- CSV export ---------------------------------------------------------------------

CSV_HEADER = [
    "entry",
    "time",
    "actor",
    "actor_email",
    "action",
    "record_kind",
    "record_id",
    "record",
    "event",
    "changes",
    "address",
    "entry_hash",
]


class AuditLogExportView(AuditLogMixin, SpreadsheetExportMixin, BaseListingView):
    """The filtered entries as CSV, streamed; the export is itself an entry."""

    FORMATS = (SpreadsheetExportMixin.FORMAT_CSV,)
    list_export = CSV_HEADER
    export_headings = {field: field for field in CSV_HEADER}
    export_scope = "all"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.is_export = True

    def get(self, request, *args, **kwargs):
        entries = self.get_queryset()
        security_event(
            user=request.user,
            actor=request.user,
            event="audit log exported",
            scope=self.export_scope,
            filters=request.GET.urlencode()[:500],
        )
        response = self.as_spreadsheet(self._marked(entries), self.FORMAT_CSV)
        response["Cache-Control"] = "no-store"
        return response

    def _marked(self, entries, size=1000):
        """The entries, streamed, each marked with whether its values may be
        written (one query per thousand)."""
        batch = []
        for entry in entries.iterator(chunk_size=size):
            batch.append(entry)
            if len(batch) == size:
                yield from self._mark(batch)
                batch = []
        yield from self._mark(batch)

    def _mark(self, batch):
        in_full = entries_in_full(self.request.user, batch)
        named = entries_named(self.request.user, batch)
        for entry in batch:
            entry.in_full = entry.pk in in_full
            entry.named = entry.pk in named
            yield entry

    def get_filename(self):
        return f"audit-log-{timezone.localtime().strftime('%Y%m%d-%H%M')}"

    def to_row_dict(self, item):
        data = item.additional_data if isinstance(item.additional_data, dict) else {}
        values = [
            item.pk,
            timezone.localtime(item.timestamp).isoformat(),
            str(item.actor) if item.actor else "",
            item.actor_email or "",
            item.get_action_display(),
            f"{item.content_type.app_label}.{item.content_type.model}",
            item.object_pk,
            _record_name(item, getattr(item, "named", False)),
            _event(item, data),
            self._changes_cell(item),
            item.remote_addr or "",
            item.entry_hash,
        ]
        return dict(zip(CSV_HEADER, values, strict=True))

    @staticmethod
    def _changes_cell(item):
        if not getattr(item, "in_full", False):
            return ", ".join(_changes(item))  # the fields' names only
        return item.changes_text or (item.changes and str(item.changes)) or ""

    def preprocess_field_value(self, field, value, export_format):
        """Spreadsheets run a cell starting with = + - @ as a formula: not from
        here."""
        return spreadsheets.cell("" if value is None else str(value))


class ObjectExportView(RecordScopeMixin, AuditLogExportView):
    def get(self, request, *args, **kwargs):
        # As the history page: a record not at the DSL's schools is not found.
        if not entries_visible_to(request.user, self.scope).exists():
            raise Http404
        return super().get(request, *args, **kwargs)

    @property
    def export_scope(self):
        return f"{self.scope.content_type.model}:{self.scope.object_pk}"


class PersonExportView(PersonScopeMixin, AuditLogExportView):
    @property
    def export_scope(self):
        return f"user:{self.person.pk}"


audit_log = AuditLogView.as_view()
object_history = ObjectHistoryView.as_view()
person_history = PersonHistoryView.as_view()
export = AuditLogExportView.as_view()
object_export = ObjectExportView.as_view()
person_export = PersonExportView.as_view()


# -- The break-glass register -------------------------------------------------------


BREAK_GLASS_COLUMNS = template_columns(
    "oversight/break_glass_cells",
    ("when", gettext_lazy("When")),
    ("who", gettext_lazy("Who")),
    ("school", gettext_lazy("School")),
    ("record", gettext_lazy("Record")),
    ("reason", gettext_lazy("Reason given")),
    ("told", gettext_lazy("Who was told")),
)


class BreakGlassRegisterView(ListingView):
    """Every break-glass access at the schools the user oversees or is a DSL of:
    who, when, which record, why, and who was told. 404 for anyone else."""

    template_name = "oversight/break_glass_register.html"
    page_kwarg = "p"
    columns = BREAK_GLASS_COLUMNS
    table_attrs = {"data-break-glass-rows": True}
    http_method_names = ["get", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        # 405 for a POST from anyone, before who asks is checked (as require_GET did)
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        if not can_see_break_glass_register(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return break_glass_register_for(self.request.user)

    def get_rows(self, objects):
        return break_glass_rows(objects)

    def row_attrs(self, row):
        return {"data-break-glass-row": True}


break_glass_register = BreakGlassRegisterView.as_view()
