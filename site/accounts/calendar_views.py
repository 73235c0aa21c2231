"""The school calendar in the admin: DSLs, deputies and heads keep their own schools'
terms and closure days, which the school-day clocks (accounts.calendar) count by.

Anyone else, and any school or entry not theirs, gets a 404: the pages don't confirm
what exists elsewhere.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chronicle.forms import add_service_errors

from . import bank_holidays, services
from .forms import SchoolClosureDayForm, SchoolTermForm
from .selectors import calendar_schools, closure_days_editable_by, terms_editable_by


def _school_url(school_id):
    return reverse("accounts_admin:school_calendar_school", args=[school_id])


def _school(request, school_id):
    return get_object_or_404(calendar_schools(request.user), pk=school_id)


def _page(request, school, *, term_form=None, closure_form=None, bank_form=None):
    return TemplateResponse(
        request,
        "accounts/calendar/school.html",
        {
            "school": school,
            "schools": calendar_schools(request.user),
            "terms": school.school_terms.order_by("starts_on"),
            "closure_days": school.closure_days.order_by("date"),
            "term_form": term_form or SchoolTermForm(),
            "closure_form": closure_form or SchoolClosureDayForm(),
            "bank_form": bank_form
            or bank_holidays.BankHolidaysForm(initial={"region": school.region}),
        },
    )


def index(request):
    """Straight to the calendar of the user's one school, or a choice of several."""
    schools = list(calendar_schools(request.user))
    if not schools:
        raise Http404
    if len(schools) == 1:
        return redirect(_school_url(schools[0].pk))
    return TemplateResponse(
        request, "accounts/calendar/index.html", {"schools": schools}
    )


@require_http_methods(["GET", "POST"])
def school_calendar(request, school_id):
    """The calendar; a POST adds the region's bank holidays for a year."""
    school = _school(request, school_id)
    if request.method == "POST":
        return _bank_holidays_fill(request, school)
    return _page(request, school)


def _bank_holidays_fill(request, school):
    form = bank_holidays.BankHolidaysForm(request.POST)
    if not form.is_valid():
        return _page(request, school, bank_form=form)
    bank_holidays.school_region_set(
        school=school, region=form.cleaned_data["region"], user=request.user
    )
    result = bank_holidays.bank_holidays_fill(
        school=school, years=[form.cleaned_data["year"]], user=request.user
    )
    messages.success(
        request,
        _(
            "%(region)s bank holidays for %(year)d: %(added)d added, %(kept)d "
            "already in the calendar and left as they were."
        )
        % {
            "region": school.get_region_display(),
            "year": form.cleaned_data["year"],
            "added": len(result.added),
            "kept": len(result.kept),
        },
    )
    return redirect(_school_url(school.pk))


@require_POST
def term_add(request, school_id):
    school = _school(request, school_id)
    form = SchoolTermForm(request.POST)
    if form.is_valid():
        try:
            term = services.school_term_add(
                school=school, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Term added: %(term)s.") % {"term": term})
            return redirect(_school_url(school.pk))
    return _page(request, school, term_form=form)


@require_POST
def closure_day_add(request, school_id):
    school = _school(request, school_id)
    form = SchoolClosureDayForm(request.POST)
    if form.is_valid():
        try:
            closure_day = services.school_closure_day_add(
                school=school, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Closure day added: %(day)s.") % {"day": closure_day}
            )
            return redirect(_school_url(school.pk))
    return _page(request, school, closure_form=form)


def _confirm_remove(request, obj, question):
    return TemplateResponse(
        request,
        "accounts/calendar/confirm_remove.html",
        {"object": obj, "question": question, "cancel_url": _school_url(obj.school_id)},
    )


@require_http_methods(["GET", "POST"])
def term_remove(request, pk):
    term = get_object_or_404(
        terms_editable_by(request.user).select_related("school"), pk=pk
    )
    if request.method == "POST":
        services.school_term_remove(term=term, user=request.user)
        messages.success(request, _("Term removed: %(term)s.") % {"term": term})
        return redirect(_school_url(term.school_id))
    return _confirm_remove(request, term, _("Remove this term?"))


@require_http_methods(["GET", "POST"])
def closure_day_remove(request, pk):
    closure_day = get_object_or_404(
        closure_days_editable_by(request.user).select_related("school"), pk=pk
    )
    if request.method == "POST":
        services.school_closure_day_remove(closure_day=closure_day, user=request.user)
        messages.success(
            request, _("Closure day removed: %(day)s.") % {"day": closure_day}
        )
        return redirect(_school_url(closure_day.school_id))
    return _confirm_remove(request, closure_day, _("Remove this closure day?"))
