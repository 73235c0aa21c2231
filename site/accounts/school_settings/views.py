"""The School settings page (Settings menu): where concerns about the head go,
the trust's nominated lead, the DfE number and bank holiday region.

Heads see their schools' settings; trust leads and system administrators change
what school_settings.selectors allows them. Anyone else, and any school not
theirs, gets a 404: the page does not confirm what exists elsewhere.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chronicle.forms import add_service_errors

from .forms import SchoolSettingsForm
from .selectors import (
    head_concerns_have_nowhere_to_go,
    schools_with_nowhere_for_head_concerns,
    settings_schools,
)
from .services import school_settings_save


def index(request: HttpRequest) -> HttpResponse:
    schools = list(settings_schools(request.user))
    if not schools:
        raise Http404
    if len(schools) == 1:
        return redirect("school_settings_school", school_id=schools[0].pk)
    nowhere = {
        school.pk for school in schools_with_nowhere_for_head_concerns(request.user)
    }
    return TemplateResponse(
        request,
        "accounts/school_settings/index.html",
        {"schools": [(school, school.pk in nowhere) for school in schools]},
    )


@require_http_methods(["GET", "POST"])
def school_settings(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_object_or_404(
        settings_schools(request.user).select_related(
            "trust__nominated_lead", "chair_of_governors"
        ),
        pk=school_id,
    )
    form = SchoolSettingsForm(
        request.POST if request.method == "POST" else None,
        school=school,
        user=request.user,
    )
    if request.method == "POST" and form.editable and form.is_valid():
        try:
            school_settings_save(
                school=school, user=request.user, changes=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved for %(school)s.") % {"school": school})
            return redirect(reverse("school_settings_school", args=[school.pk]))
    return TemplateResponse(
        request,
        "accounts/school_settings/school.html",
        {
            "school": school,
            "schools": settings_schools(request.user),
            "form": form,
            "nowhere": head_concerns_have_nowhere_to_go(school),
        },
    )
