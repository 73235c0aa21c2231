"""The audit log in the admin, for DSLs: every entry about their schools' records,
filterable, per object and per person, exportable as CSV (the export is itself
logged). Anyone else gets a 404; so does an object or person not at their schools.
Each page runs a fixed number of queries, however long the log."""

import csv

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chronicle import spreadsheets

from .forms import AuditFilterForm, content_type_label
from .models import AuditAction
from .selectors import (
    SCHOOL_SCOPES,
    AuditFilters,
    can_browse_audit_log,
    entries_visible_to,
    people_at_audit_schools,
)
from .services import security_event

PAGE_SIZE = 50


def _allowed(request):
    if not can_browse_audit_log(request.user):
        raise Http404


def _form(request):
    # Always bound: every field is optional, so no query string is a valid "all".
    return AuditFilterForm(request.GET, user=request.user)


def _entries(request, form, **extra):
    if not form.is_valid():
        return entries_visible_to(request.user).none()
    return entries_visible_to(request.user, form.filters(**extra))


def _page(request, *, title, form, entries, export_url, subject=None):
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "audit/log.html",
        {
            "title": title,
            "form": form,
            "page": page,
            "rows": [_row(entry) for entry in page.object_list],
            "export_url": f"{export_url}?{request.GET.urlencode()}",
            "subject": subject,
        },
    )


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


def _row(entry):
    data = entry.additional_data or {}
    changes = entry.changes_dict if entry.action < entry.Action.ACCESS else {}
    return {
        "entry": entry,
        "kind": content_type_label(entry.content_type),
        "event": _event(entry, data),
        "changes": [
            (field, values[0] if len(values) > 1 else "", values[-1])
            for field, values in changes.items()
            if isinstance(values, list)
        ],
        "object_url": reverse(
            "audit_log_object", args=[entry.content_type_id, entry.object_pk]
        ),
    }


def audit_log(request):
    _allowed(request)
    form = _form(request)
    return _page(
        request,
        title=_("Audit log"),
        form=form,
        entries=_entries(request, form),
        export_url=reverse("audit_log_export"),
    )


def _scoped_content_type(content_type_id):
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    if f"{content_type.app_label}.{content_type.model}" not in SCHOOL_SCOPES:
        raise Http404
    return content_type


def object_history(request, content_type_id, object_pk):
    """Everything logged about one record, if it is at one of the DSL's schools."""
    _allowed(request)
    content_type = _scoped_content_type(content_type_id)
    form = _form(request)
    extra = {"content_type": content_type, "object_pk": object_pk}
    everything = entries_visible_to(request.user, AuditFilters(**extra))
    first = everything.first()
    if first is None:
        raise Http404
    entries = _entries(request, form, **extra)
    title = _("History of %(kind)s %(name)s") % {
        "kind": content_type_label(content_type).lower(),
        "name": first.object_repr,
    }
    return _page(
        request,
        title=title,
        form=form,
        entries=entries,
        export_url=reverse(
            "audit_log_object_export", args=[content_type.pk, object_pk]
        ),
    )


def person_history(request, user_id):
    """What one person did, and what happened to their account, at the DSL's
    schools."""
    _allowed(request)
    person = get_object_or_404(people_at_audit_schools(request.user), pk=user_id)
    form = _form(request)
    return _page(
        request,
        title=_("Audit log: %(name)s") % {"name": person},
        form=form,
        entries=_entries(request, form, about_user=person),
        export_url=reverse("audit_log_person_export", args=[person.pk]),
        subject=person,
    )


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


def _cell(value):
    """Spreadsheets run a cell starting with = + - @ as a formula: not from here."""
    text = "" if value is None else str(value)
    return spreadsheets.cell(text)


class _Echo:
    def write(self, value):
        return value


def _csv_rows(entries):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for entry in entries.iterator(chunk_size=1000):
        data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
        row = [
            entry.pk,
            timezone.localtime(entry.timestamp).isoformat(),
            str(entry.actor) if entry.actor else "",
            entry.actor_email or "",
            entry.get_action_display(),
            f"{entry.content_type.app_label}.{entry.content_type.model}",
            entry.object_pk,
            entry.object_repr,
            _event(entry, data),
            entry.changes_text or (entry.changes and str(entry.changes)) or "",
            entry.remote_addr or "",
            entry.entry_hash,
        ]
        yield writer.writerow([_cell(value) for value in row])


def _export(request, entries, scope):
    security_event(
        user=request.user,
        actor=request.user,
        event="audit log exported",
        scope=scope,
        filters=request.GET.urlencode()[:500],
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(_csv_rows(entries), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def export(request):
    _allowed(request)
    form = _form(request)
    return _export(request, _entries(request, form), "all")


def object_export(request, content_type_id, object_pk):
    _allowed(request)
    content_type = _scoped_content_type(content_type_id)
    extra = {"content_type": content_type, "object_pk": object_pk}
    # As the history page: a record not at the DSL's schools is not found.
    if not entries_visible_to(request.user, AuditFilters(**extra)).exists():
        raise Http404
    form = _form(request)
    entries = _entries(request, form, **extra)
    return _export(request, entries, f"{content_type.model}:{object_pk}")


def person_export(request, user_id):
    _allowed(request)
    person = get_object_or_404(people_at_audit_schools(request.user), pk=user_id)
    form = _form(request)
    entries = _entries(request, form, about_user=person)
    return _export(request, entries, f"user:{person.pk}")
