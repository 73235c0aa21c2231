"""The school's service tokens in the admin: its DSL lists, makes (the secret shown
once) and revokes them. Anyone else, and any school not theirs, gets a 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..models import ServiceToken
from ..tables import service_token_table
from . import selectors, services
from .forms import ServiceTokenForm


def _school(request, school_id):
    return get_object_or_404(
        selectors.service_token_schools(request.user), pk=school_id
    )


def index(request):
    schools = list(selectors.service_token_schools(request.user))
    if not schools:
        raise Http404
    return redirect("api:service_tokens_school", school_id=schools[0].pk)


@never_cache
def school_tokens(request, school_id):
    school = _school(request, school_id)
    form = ServiceTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _token, secret = services.service_token_create(
            school=school, user=request.user, **form.cleaned_data
        )
        form = ServiceTokenForm()
    tokens = list(selectors.service_tokens_of(school))
    return TemplateResponse(
        request,
        "api/service_tokens.html",
        {
            "school": school,
            "schools": selectors.service_token_schools(request.user),
            "form": form,
            "tokens": tokens,
            "table": service_token_table(tokens),
            "secret": secret,
        },
    )


@require_POST
def revoke(request, pk):
    token = get_object_or_404(
        ServiceToken.objects.filter(
            school__in=selectors.service_token_schools(request.user)
        ),
        pk=pk,
    )
    services.service_token_revoke(token=token, user=request.user)
    messages.success(request, _("Revoked “%(name)s”.") % {"name": token.name})
    return redirect("api:service_tokens_school", school_id=token.school_id)


urlpatterns = [
    path("service-tokens/", index, name="service_tokens"),
    path(
        "service-tokens/<int:school_id>/", school_tokens, name="service_tokens_school"
    ),
    path("service-tokens/revoke/<int:pk>/", revoke, name="service_token_revoke"),
]
