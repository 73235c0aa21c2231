"""The user's own list of remembered devices (revoke one, or all), and a DSL
forgetting a colleague's devices from the two-factor reset page."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from ..selectors import can_reset_two_factor, users_two_factor_resettable_by
from .selectors import (
    may_remember_devices,
    policy_days,
    remembered_devices_working,
    token_hash,
)
from .services import (
    COOKIE_NAME,
    remembered_device_revoke,
    remembered_devices_revoke_all,
)


@require_http_methods(["GET"])
def remembered_devices_index(request):
    current = request.COOKIES.get(COOKIE_NAME)
    current_hash = token_hash(current) if current else None
    devices = list(remembered_devices_working(request.user))
    return TemplateResponse(
        request,
        "accounts/remembered_devices.html",
        {
            "devices": devices,
            "current_hash": current_hash,
            "allowed": may_remember_devices(request.user),
            "days": policy_days(),
        },
    )


@require_POST
def remembered_device_forget(request, pk):
    device = get_object_or_404(remembered_devices_working(request.user), pk=pk)
    remembered_device_revoke(device=device, actor=request.user, reason="by its owner")
    messages.success(
        request,
        _("%(device)s is forgotten: it will ask for a code at the next sign-in.")
        % {"device": device.label},
    )
    response = redirect("remembered_devices")
    if token_hash(request.COOKIES.get(COOKIE_NAME, "")) == device.token_hash:
        response.delete_cookie(COOKIE_NAME, samesite="Strict")
    return response


@require_POST
def remembered_devices_forget_all(request):
    count = remembered_devices_revoke_all(
        user=request.user, actor=request.user, reason="by their owner"
    )
    messages.success(
        request,
        ngettext("%(count)d device forgotten.", "%(count)d devices forgotten.", count)
        % {"count": count},
    )
    response = redirect("remembered_devices")
    response.delete_cookie(COOKIE_NAME, samesite="Strict")
    return response


@require_POST
def colleague_devices_forget(request, user_id):
    """A DSL makes a colleague give the code everywhere (a phone lost or shared),
    without resetting their authenticator app."""
    if not can_reset_two_factor(request.user):
        raise Http404
    person = get_object_or_404(users_two_factor_resettable_by(request.user), pk=user_id)
    count = remembered_devices_revoke_all(
        user=person, actor=request.user, reason="by a DSL"
    )
    messages.success(
        request,
        ngettext(
            "%(count)d remembered device of %(name)s forgotten: they give a code at "
            "their next sign-in on it.",
            "%(count)d remembered devices of %(name)s forgotten: they give a code at "
            "their next sign-in on each.",
            count,
        )
        % {"count": count, "name": person},
    )
    return redirect("accounts_admin:two_factor_reset_confirm", user_id=person.pk)
