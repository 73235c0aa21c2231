"""The DSL's page for one concern, and reopening a closed one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import record_access
from chronicle.forms import add_service_errors
from records.models import Concern
from records.restrictions import restriction_of
from records.selectors import concerns_visible_to, concerns_workable_by, is_read_only

from .. import selectors, services
from ..forms import ActionForm, ReopenForm
from ..models import CaseTask
from .base import concern_context, team_people


def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The DSL's view of one concern: what was reported and everything done since."""
    concern = get_object_or_404(
        concerns_visible_to(request.user).select_related("school"), pk=pk
    )
    read_only = is_read_only(request.user, concern)
    if read_only and request.method == "POST":
        raise PermissionDenied  # a break-glass access reads, it does not add
    record_access(obj=concern, event="concern read", via="concern page")
    action_form = ActionForm(
        request.POST if request.method == "POST" else None,
        people=team_people(request.user)
        .filter(memberships__school=concern.school)
        .exclude(concerns_naming_me__concern=concern),  # never the adult it names
    )
    if request.method == "POST" and action_form.is_valid():
        try:
            services.action_create(
                concern=concern, user=request.user, **action_form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(action_form, error)
        else:
            messages.success(request, _("Action added to their tasks."))
            return redirect("workflows:casework_concern", pk=concern.pk)
    context = concern_context(concern, request.user)
    context.update(
        {
            "action_form": action_form,
            "open_tasks": CaseTask.objects.filter(
                concern=concern, flow_task_type="HUMAN", status__in=selectors.OPEN
            ).select_related("owner", "action", "referral"),
            # A concern about an adult is worked through its case (its outcome
            # is final, new information is a new concern): never the children's
            # reopening, which would start the DSLs' process on it.
            "about_adult": concern.route == Concern.Route.HEAD,
            "can_reopen": concern.status == Concern.Status.CLOSED
            and concern.route != Concern.Route.HEAD
            and not services.concern_has_open_process(concern),
            "reopen_form": ReopenForm(),
            "read_only": read_only,
            "restriction": restriction_of(concern),
        }
    )
    return TemplateResponse(request, "workflows/concern.html", context)


@require_POST
def concern_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_object_or_404(concerns_workable_by(request.user), pk=pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the concern is being reopened."))
        return redirect("workflows:casework_concern", pk=concern.pk)
    try:
        services.concern_reopen(
            concern=concern, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Reopened: a new decision is in the team queue."))
    return redirect("workflows:casework_concern", pk=concern.pk)
