"""Pages for need-to-know: restricting a file or a concern to named people, lifting
it, and break-glass access (records.restrictions says who may do what)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import School
from accounts.selectors import CASE_ROLES, schools_where
from chronicle.forms import add_service_errors

from . import restrictions
from .models import BreakGlassAccess, Pupil
from .selectors import concerns_workable_by, pupils_workable_by


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.username


class RestrictForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why access is restricted"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "For example: an allegation about a member of staff; the child is a "
            "relative of someone who works here. Everyone named can read this."
        ),
    )
    people = PeopleChoice(
        label=gettext_lazy("Who may see it"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "Only the people ticked (and you) will see it: in lists, the file, "
            "tasks, exports and the audit log. Leave out anyone the concern is "
            "about or who is close to the child."
        ),
    )

    def __init__(self, *args, record, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = restrictions.eligible_people(record).exclude(
            pk=user.pk
        )


class LiftForm(forms.Form):
    lift_reason = forms.CharField(
        label=gettext_lazy("Why the restriction is lifted"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BreakGlassForm(forms.Form):
    school = forms.ModelChoiceField(
        label=gettext_lazy("School"), queryset=School.objects.none()
    )
    reference = forms.CharField(
        label=gettext_lazy("Concern reference"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("For example C000123."),
    )
    upn = forms.CharField(
        label=gettext_lazy("or the child's UPN (for the whole file)"),
        required=False,
        max_length=13,
    )
    reason = forms.CharField(
        label=gettext_lazy("Why you need to see it now"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy(
            "The school's DSLs are told at once, with your name and this reason. "
            "The access is read-only and ends after %(minutes)d minutes."
        )
        % {"minutes": restrictions.BREAK_GLASS_MINUTES},
    )
    understood = forms.BooleanField(
        label=gettext_lazy(
            "I understand this access is logged and reviewed by the school's DSLs."
        )
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_superuser:
            schools = School.objects.filter(is_active=True)
        else:
            schools = schools_where(user, *CASE_ROLES)
        self.fields["school"].queryset = schools.order_by("name")
        if not self.initial.get("school") and len(schools) == 1:
            self.initial["school"] = schools[0].pk  # the DSL team's own school


def _back(record):
    if isinstance(record, Pupil):
        return reverse("file_detail", args=[record.pk])
    return reverse("casework_concern", args=[record.pk])


def _restrict(request, record, *, title):
    if not restrictions.may_restrict(request.user, record):
        raise PermissionDenied
    current = restrictions.restriction_of(record)
    initial = {}
    if current is not None:
        initial = {"reason": current.reason, "people": list(current.people.all())}
    form = RestrictForm(
        request.POST or None, initial=initial, record=record, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            restrictions.restriction_set(
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
        restrictions.open_restrictions().filter(
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
    restrictions.restriction_lift(
        restriction=restriction,
        user=request.user,
        reason=form.cleaned_data["lift_reason"],
    )
    messages.success(request, _("Restriction lifted: the whole team sees it again."))
    return redirect(_back(record))


def break_glass(request):
    """Ask for break-glass access; the user's own accesses; for the DSLs, every
    access at their schools (who, to what, why, when)."""
    if not restrictions.can_break_glass(request.user):
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
            record = restrictions.break_glass_target(
                user=request.user,
                school=data["school"],
                reference=data["reference"],
                upn=data["upn"],
            )
            restrictions.break_glass_open(
                user=request.user, obj=record, reason=data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.warning(
                request,
                _(
                    "Break-glass access open for %(minutes)d minutes, read-only. "
                    "The school's DSLs have been told."
                )
                % {"minutes": restrictions.BREAK_GLASS_MINUTES},
            )
            return redirect(_back(record))
    register = restrictions.break_glass_register(request.user)
    return TemplateResponse(
        request,
        "records/restriction/break_glass.html",
        {
            "form": form,
            "mine": restrictions.break_glass_of(request.user)[:20],
            "open_ids": set(
                restrictions.open_break_glass(request.user).values_list("pk", flat=True)
            ),
            "register": None if register is None else register[:100],
            "minutes": restrictions.BREAK_GLASS_MINUTES,
        },
    )


@require_POST
def break_glass_close(request, pk):
    access = get_object_or_404(BreakGlassAccess, pk=pk, user=request.user)
    restrictions.break_glass_close(access=access, user=request.user)
    messages.success(request, _("Break-glass access closed."))
    return redirect("break_glass")


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
