"""Two-factor enrolment and verification pages, shown between password and admin."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from . import two_factor
from .forms import EnrolForm, VerifyForm
from .remembered.selectors import may_remember_devices, policy_days
from .remembered.services import (
    COOKIE_NAME,
    remembered_device_add,
    remembered_device_use,
)

SESSION_NEW_CODES = "chronicle_new_backup_codes"
SESSION_PENDING_DEVICE = "chronicle_pending_totp_device"
SESSION_REMEMBERED_DEVICE = "chronicle_remembered_device"


def _next_url(request):
    """Where to go after the second factor: a path on this site. Anything else (a
    bare word would be taken for a URL name by redirect()) goes to the dashboard."""
    target = request.POST.get("next") or request.GET.get("next")
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        )
    ):
        return target
    return reverse("wagtailadmin_home")


def _with_next(url_name, next_url):
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _verified(request):
    return request.user.is_verified()


def _second_factor_passed(request, device):
    """Mark the session verified under a new session key. The key the browser held
    before (seen by whoever watched the password step, or planted in the browser
    beforehand) must not become a fully signed-in session: Django renews the key at
    the password; the second factor is a change of privilege too."""
    otp_login(request, device)
    request.session.cycle_key()


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """First login: scan the QR code (or type the secret), confirm with a code."""
    if _verified(request):
        return redirect(_next_url(request))
    if two_factor.has_two_factor(request.user):
        # A password alone must never add a device to an account that has one.
        return redirect(_with_next("accounts:two_factor_verify", _next_url(request)))
    device = two_factor.totp_device_for_enrolment(
        request.user, pending_id=request.session.get(SESSION_PENDING_DEVICE)
    )
    request.session[SESSION_PENDING_DEVICE] = device.pk
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result, codes = two_factor.totp_enrol(
            device=device, code=form.cleaned_data["code"]
        )
        if result.ok:
            device.refresh_from_db()
            _second_factor_passed(request, device)
            del request.session[SESSION_PENDING_DEVICE]
            request.session[SESSION_NEW_CODES] = codes
            return redirect(
                _with_next("accounts:two_factor_backup_codes", _next_url(request))
            )
        form.add_error("code", result.message)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "secret": two_factor.totp_secret(device),
            "qr_svg": two_factor.totp_qr_svg(device),
            "next": _next_url(request),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """Every login: a code from the app, or a single-use backup code."""
    if _verified(request):
        return redirect(_next_url(request))
    devices = two_factor.verification_choices(request.user)
    if not devices:
        return redirect(_with_next("accounts:two_factor_setup", _next_url(request)))
    offered = request.COOKIES.get(COOKIE_NAME, "")
    remembered = remembered_device_use(user=request.user, token=offered)
    if remembered is not None:
        _second_factor_passed(request, devices[0])
        request.session[SESSION_REMEMBERED_DEVICE] = remembered.pk
        return redirect(_next_url(request))
    remember_days = policy_days() if may_remember_devices(request.user) else 0
    form = VerifyForm(
        request.POST or None, devices=devices, remember_days=remember_days
    )
    if request.method == "POST" and form.is_valid():
        result, device = two_factor.verify(
            user=request.user,
            persistent_id=form.cleaned_data["device"],
            code=form.cleaned_data["code"],
        )
        if result.ok:
            _second_factor_passed(request, device)
            left = two_factor.unused_backup_code_count(request.user)
            if device.name == two_factor.BACKUP_DEVICE_NAME and left <= 3:
                messages.warning(
                    request,
                    _(
                        "You have %(count)d backup codes left. Make new ones from "
                        "'Two-factor backup codes' on your dashboard."
                    )
                    % {"count": left},
                )
            response = redirect(_next_url(request))
            if form.cleaned_data.get("remember"):
                _remember(request, response)
            return response
        form.add_error("code", result.message)
    response = render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
    )
    if offered:  # expired, revoked or someone else's: the browser drops it
        response.delete_cookie(COOKIE_NAME, samesite="Strict")
    return response


def _remember(request, response):
    """Remember this browser: the cookie holds the only copy of the token."""
    remembered, token = remembered_device_add(
        user=request.user, user_agent=request.headers.get("User-Agent", "")
    )
    request.session[SESSION_REMEMBERED_DEVICE] = remembered.pk
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=policy_days() * 24 * 60 * 60,
        secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
        httponly=True,
        samesite="Strict",
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def backup_codes(request):
    """New codes are shown once, straight after they are made; then only a count.

    Making new codes cancels the old ones, so it asks for a code again: a borrowed
    session alone can't lock the owner out of their backup codes."""
    form = VerifyForm(
        request.POST or None, devices=two_factor.verification_choices(request.user)
    )
    form.fields["code"].widget.attrs.pop("autofocus", None)  # "continue" comes first
    if request.method == "POST" and form.is_valid():
        result, _device = two_factor.verify(
            user=request.user,
            persistent_id=form.cleaned_data["device"],
            code=form.cleaned_data["code"],
        )
        if result.ok:
            request.session[SESSION_NEW_CODES] = two_factor.backup_codes_regenerate(
                user=request.user
            )
            return redirect("accounts:two_factor_backup_codes")
        form.add_error("code", result.message)
    codes = (
        None
        if request.method == "POST"
        else request.session.pop(SESSION_NEW_CODES, None)
    )
    return render(
        request,
        "accounts/two_factor_backup_codes.html",
        {
            "codes": codes,
            "form": form,
            "unused": two_factor.unused_backup_code_count(request.user),
            "next": _next_url(request),
        },
    )


def locked_out(request, original_response=None, credentials=None):
    """What django-axes shows instead of the sign-in result once a username has had
    too many refused passwords from this address (AXES_LOCKOUT_CALLABLE): a page
    saying what happened and when to try again, with status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


@never_cache
@require_http_methods(["POST"])
def keep_alive(request):
    """The "Stay signed in" of the idle-sign-out warning (chronicle/idle-warning.js).

    A request the person made, so SessionTimeoutMiddleware counts it as activity
    (it is not one of BACKGROUND_VIEWS). POST with the CSRF token, so no other site
    can keep a session alive. Anonymous callers get 403, not the sign-in page: the
    script then knows the session has already ended."""
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    return HttpResponse(status=204)
