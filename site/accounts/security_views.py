"""A DSL resets a colleague's two-factor (lost phone, no backup codes) without a
developer: the colleague enrols again at their next sign-in, every session and API
token of theirs ends, and the reset is in the audit log with the DSL as actor.

Anyone but a DSL, and anyone not at the DSL's school, gets a 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import two_factor
from .remembered.selectors import remembered_devices_working
from .selectors import can_reset_two_factor, users_two_factor_resettable_by

PAGE_SIZE = 50


def _allowed(request):
    if not can_reset_two_factor(request.user):
        raise Http404


def two_factor_reset_index(request):
    _allowed(request)
    query = request.GET.get("q", "").strip()[:100]
    people = users_two_factor_resettable_by(request.user)
    if query:
        people = people.filter(username__icontains=query) | people.filter(
            last_name__icontains=query
        )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "accounts/two_factor_reset/index.html",
        {"page": page, "query": query},
    )


@require_http_methods(["GET", "POST"])
def two_factor_reset_confirm(request, user_id):
    _allowed(request)
    person = get_object_or_404(users_two_factor_resettable_by(request.user), pk=user_id)
    if request.method == "POST":
        two_factor.two_factor_reset(
            user=person, actor=request.user, reason="two-factor reset by a DSL"
        )
        messages.success(
            request,
            _(
                "Two-factor reset for %(name)s: they set up an authenticator app "
                "again at their next sign-in, and have been signed out everywhere."
            )
            % {"name": person},
        )
        return redirect("accounts_admin:two_factor_reset")
    return TemplateResponse(
        request,
        "accounts/two_factor_reset/confirm.html",
        {
            "person": person,
            "has_two_factor": two_factor.has_two_factor(person),
            "remembered": remembered_devices_working(person).count(),
        },
    )
