"""The reports area in the Wagtail admin. Thin views: check who is asking (selectors),
check the filters (filters.ReportFilterForm), count (queries), respond. Every file
that leaves the system is written to the audit log with its filters."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import security_event

from . import exports, health, selectors, services
from .filters import ReportFilterForm, with_current_term
from .forms import PinForm
from .models import PinnedReport
from .queries import build_report

GOVERNOR_SECTIONS = (
    "totals",
    "over_time",
    "category",
    "dfe_code",
    "year_group",
    "sex",
    "flag",
    "decision",
    "agency",
    "agency_outcome",
)
FORMATS = {
    "csv": ("text/csv; charset=utf-8", exports.as_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.as_xlsx,
    ),
}


def _require_reports(user):
    if not selectors.can_see_reports(user):
        raise PermissionDenied


def _filter_form(request):
    user = request.user
    terms = list(selectors.terms_for_reports(user))
    return ReportFilterForm(
        with_current_term(request.GET, terms),
        schools=selectors.report_schools(user),
        categories=selectors.categories_for_reports(user),
        terms=terms,
    )


def _report(request, form):
    params = form.params()
    concerns = selectors.concerns_for_reports(request.user)
    return params, build_report(concerns, params, viewer=request.user)


def _query(request):
    query = request.GET.copy()
    for key in ("page", "format"):
        query.pop(key, None)
    return query.urlencode()


def _charts(sections):
    return {
        section.key: {
            "type": section.chart,
            "title": str(section.title),
            "labels": [str(row.label) for row in section.rows],
            "current": [row.current for row in section.rows],
            "previous": [row.previous for row in section.rows]
            if section.compare
            else None,
        }
        for section in sections
        if section.chart and section.rows
    }


def report_page(request):
    """The main report: every table for the chosen filters, each with its chart.
    A fixed number of queries whatever the number of concerns."""
    _require_reports(request.user)
    form = _filter_form(request)
    context = {
        "form": form,
        "query": _query(request),
        "pins": PinnedReport.objects.filter(user=request.user),
        "pin_form": PinForm(initial={"query": _query(request)}),
    }
    if form.is_valid():
        params, sections = _report(request, form)
        context.update(
            params=params, sections=sections, charts=_charts(sections), valid=True
        )
    return TemplateResponse(request, "reports/report.html", context)


def _invalid(request, form):
    messages.error(request, _("Correct the report's filters first."))
    return redirect(f"{reverse('reports:reports')}?{_query(request)}")


def export(request, fmt):
    """The report's tables as CSV or XLSX, logged with the filters used."""
    _require_reports(request.user)
    if fmt not in FORMATS:
        raise PermissionDenied
    form = _filter_form(request)
    if not form.is_valid():
        return _invalid(request, form)
    params, sections = _report(request, form)
    security_event(
        user=request.user,
        event="report exported",
        format=fmt,
        filters=_query(request),
        schools=[school.pk for school in params.schools],
    )
    content_type, render = FORMATS[fmt]
    # Streamed: the file is written as it is sent (exports.as_csv, as_xlsx).
    response = StreamingHttpResponse(
        render(sections, params), content_type=content_type
    )
    name = f"chronicle-report-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def governors(request):
    """The termly report for governors, as a PDF: the chosen term beside the one
    before, every count from 1 to 4 shown as "fewer than 5"."""
    _require_reports(request.user)
    form = _filter_form(request)
    if not form.is_valid():
        return _invalid(request, form)
    if not form.cleaned_data.get("term"):
        messages.error(request, _("Choose a school term for the governors' report."))
        return redirect(f"{reverse('reports:reports')}?{_query(request)}")
    params, sections = _report(request, form)
    chosen = [section for section in sections if section.key in GOVERNOR_SECTIONS]
    security_event(
        user=request.user,
        event="governors' report exported",
        format="pdf",
        filters=_query(request),
        schools=[school.pk for school in params.schools],
    )
    pdf = exports.governors_pdf(
        sections=chosen, params=params, user=request.user, request=request
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"governors-report-{slugify(params.term_name)}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def workflow_health(request):
    _require_reports(request.user)
    context = health.workflow_health(
        user=request.user,
        concerns=selectors.concerns_for_reports(request.user),
        query=request.GET,
    )
    return TemplateResponse(request, "reports/health.html", context)


@require_POST
def pin(request):
    _require_reports(request.user)
    form = PinForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("title", []):
            messages.error(request, error)
        return redirect(f"{reverse('reports:reports')}?{form.data.get('query', '')}")
    pinned = services.report_pin(
        user=request.user,
        title=form.cleaned_data["title"],
        query=form.cleaned_data["query"],
    )
    messages.success(request, _("Pinned: %(title)s.") % {"title": pinned.title})
    return redirect(f"{reverse('reports:reports')}?{pinned.query}")


@require_POST
def unpin(request, pk):
    _require_reports(request.user)
    pinned = get_object_or_404(PinnedReport, pk=pk, user=request.user)
    services.report_unpin(pin=pinned)
    messages.success(request, _("Unpinned: %(title)s.") % {"title": pinned.title})
    return redirect("reports:reports")
