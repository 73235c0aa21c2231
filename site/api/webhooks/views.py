"""A school's webhooks in the admin: its DSL or head registers and removes
endpoints, sends a test event, and reads the delivery log (status, attempts, last
error). Anyone else, and any school not theirs, gets a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chronicle.forms import add_service_errors

from . import notices, selectors, services
from .forms import EndpointForm
from .models import WebhookEndpoint


def _school(request, school_id):
    return get_object_or_404(selectors.webhook_schools(request.user), pk=school_id)


def _endpoint(request, pk):
    return get_object_or_404(
        WebhookEndpoint.objects.filter(
            school__in=selectors.webhook_schools(request.user), is_active=True
        ),
        pk=pk,
    )


def index(request):
    schools = list(selectors.webhook_schools(request.user))
    if not schools:
        raise Http404
    return redirect("api:webhooks_school", school_id=schools[0].pk)


def school_webhooks(request, school_id):
    school = _school(request, school_id)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_register(
                school=school, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Endpoint registered."))
            return redirect("api:webhooks_school", school_id=school.pk)
    return TemplateResponse(
        request,
        "api/webhooks.html",
        {
            "school": school,
            "schools": selectors.webhook_schools(request.user),
            "form": form,
            "endpoints": selectors.endpoints_of(school),
            "deliveries": selectors.deliveries_shown_to(request.user, school),
        },
    )


@require_POST
def send_test(request, pk):
    endpoint = _endpoint(request, pk)
    notices.test_notice_send(endpoint=endpoint)
    messages.success(request, _("Test event queued: its delivery is in the log below."))
    return redirect("api:webhooks_school", school_id=endpoint.school_id)


@require_POST
def remove(request, pk):
    endpoint = _endpoint(request, pk)
    services.endpoint_remove(endpoint=endpoint)
    messages.success(request, _("Endpoint removed: nothing more is sent to it."))
    return redirect("api:webhooks_school", school_id=endpoint.school_id)


urlpatterns = [
    path("webhooks/", index, name="webhooks"),
    path("webhooks/<int:school_id>/", school_webhooks, name="webhooks_school"),
    path("webhooks/endpoint/<int:pk>/test/", send_test, name="webhook_test"),
    path("webhooks/endpoint/<int:pk>/remove/", remove, name="webhook_remove"),
]
