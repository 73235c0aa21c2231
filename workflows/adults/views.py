"""The case manager's pages: the cases about adults at their schools (open,
closed, due for their retention review) with the school's settings, and one
case's record. The steps themselves are worked on the task page
(workflows.views.tasks, declared in workflows.steps)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.selectors import schools_where
from audit.services import record_access
from chronicle.forms import add_service_errors, is_id
from records.models import Concern

from . import selectors, services
from .forms import AdultCaseSettingsForm
from .models import AdultCaseSettings


def case_list(request: HttpRequest) -> HttpResponse:
    schools = schools_where(request.user, Role.HEAD)
    if not schools.exists():
        raise PermissionDenied
    wanted = request.GET.get("school", "")
    school = (
        schools.filter(pk=int(wanted)).first() if is_id(wanted) else None
    ) or schools[0]
    settings = AdultCaseSettings.for_school(school.pk)
    form = AdultCaseSettingsForm(
        request.POST if request.method == "POST" else None, instance=settings
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.adult_case_settings_save(school_id=school.pk, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved for %(school)s.") % {"school": school})
            return redirect(f"{request.path}?school={school.pk}")
    cases = selectors.cases_visible_to(request.user).filter(concern__school=school)
    return TemplateResponse(
        request,
        "workflows/adults/case_list.html",
        {
            "school": school,
            "schools": schools,
            "open_cases": cases.exclude(concern__status=Concern.Status.CLOSED),
            "closed_cases": cases.filter(concern__status=Concern.Status.CLOSED),
            "retention_due": selectors.retention_due(request.user).filter(
                concern__school=school
            ),
            "form": form,
            "today": timezone.localdate(),
        },
    )


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(selectors.cases_visible_to(request.user), pk=pk)
    record_access(obj=case.concern, event="concern read", via="adult case page")
    return TemplateResponse(
        request, "workflows/adults/case_detail.html", selectors.case_record(case)
    )
