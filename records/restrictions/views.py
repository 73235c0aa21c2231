"""Pages for need-to-know: restricting a file or a concern to named people, lifting
it, and break-glass access (the selectors and services say who may do what)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chronicle.forms import add_service_errors

from ..models import BreakGlassAccess, Pupil
from ..selectors import (
    concerns_workable_by,
    open_break_glass,
    open_restrictions,
    pupils_workable_by,
)
from . import selectors, services
from .forms import BreakGlassForm, LiftForm, RestrictForm


def _back(record):
    if isinstance(record, Pupil):
        return reverse("records_admin:file_detail", args=[record.pk])
    return reverse("workflows:casework_concern", args=[record.pk])


def _restrict(request, record, *, title):
    if not selectors.may_restrict(request.user, record):
        raise PermissionDenied
    current = selectors.restriction_of(record)
    initial = {}
    if current is not None:
        initial = {"reason": current.reason, "people": list(current.people.all())}
    form = RestrictForm(
        request.POST or None, initial=initial, record=record, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.restriction_set(
                obj=record,
                user=request.user,
                reason=form.cleaned_data["reason"],
                people=form.cleaned_data["people"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Access restricted: only the people named can see it now."),
            )
            return redirect(_back(record))
    return TemplateResponse(
        request,
        "records/restriction/form.html",
        {
            "record": record,
            "is_file": isinstance(record, Pupil),
            "back": _back(record),
            "form": form,
            "lift_form": LiftForm(),
            "current": current,
            "title": title,
        },
    )


def file_restrict(request, pk):
    pupil = get_object_or_404(
        pupils_workable_by(request.user).select_related("school"), pk=pk
    )
    return _restrict(request, pupil, title=_("Restrict access to this file"))


def concern_restrict(request, pk):
    concern = get_object_or_404(
        concerns_workable_by(request.user).select_related("school"), pk=pk
    )
    return _restrict(request, concern, title=_("Restrict access to this concern"))


@require_POST
def restriction_lift(request, pk):
    restriction = get_object_or_404(
        open_restrictions().filter(
            Q(pupil__in=pupils_workable_by(request.user))
            | Q(concern__in=concerns_workable_by(request.user))
        ),
        pk=pk,
    )
    record = restriction.covers
    form = LiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the restriction is lifted."))
        return redirect(_back(record))
    services.restriction_lift(
        restriction=restriction,
        user=request.user,
        reason=form.cleaned_data["lift_reason"],
    )
    messages.success(request, _("Restriction lifted: the whole team sees it again."))
    return redirect(_back(record))


def break_glass(request):
    """Ask for break-glass access; the user's own accesses; for the DSLs, every
    access at their schools (who, to what, why, when)."""
    if not selectors.can_break_glass(request.user):
        raise PermissionDenied
    initial = {
        key: request.GET[key][:20]
        for key in ("reference", "upn", "school")
        if request.GET.get(key)
    }
    form = BreakGlassForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = selectors.break_glass_target(
                user=request.user,
                school=data["school"],
                reference=data["reference"],
                upn=data["upn"],
            )
            access = services.break_glass_open(
                user=request.user, obj=record, reason=data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            told = ", ".join(
                person.get_full_name() or person.username
                for person in access.told.all()
            )
            messages.warning(
                request,
                _(
                    "Break-glass access open for %(minutes)d minutes, read-only. "
                    "Told: %(told)s."
                )
                % {
                    "minutes": services.BREAK_GLASS_MINUTES,
                    "told": told
                    or _("nobody else (the school has no other head or DSL)"),
                },
            )
            return redirect(_back(record))
    register = selectors.break_glass_register(request.user)
    return TemplateResponse(
        request,
        "records/restriction/break_glass.html",
        {
            "form": form,
            "mine": selectors.break_glass_of(request.user)[:20],
            "open_ids": set(
                open_break_glass(request.user).values_list("pk", flat=True)
            ),
            "register": None if register is None else register[:100],
            "minutes": services.BREAK_GLASS_MINUTES,
        },
    )


@require_POST
def break_glass_close(request, pk):
    access = get_object_or_404(BreakGlassAccess, pk=pk, user=request.user)
    services.break_glass_close(access=access, user=request.user)
    messages.success(request, _("Break-glass access closed."))
    return redirect("records_admin:break_glass")


urlpatterns = [
    path("files/<int:pk>/restrict/", file_restrict, name="file_restrict"),
    path(
        "files/concerns/<int:pk>/restrict/",
        concern_restrict,
        name="concern_restrict",
    ),
    path(
        "files/restrictions/<int:pk>/lift/",
        restriction_lift,
        name="restriction_lift",
    ),
    path("break-glass/", break_glass, name="break_glass"),
    path("break-glass/<int:pk>/close/", break_glass_close, name="break_glass_close"),
]
