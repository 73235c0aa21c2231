"""The API token pages in the admin: list, make (the secret shown once), revoke.

Admin URLs are behind the two-factor gate (accounts.middleware), so a token is only
ever made from a session that passed a second factor; the views check it again."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.selectors import schools_where

from . import selectors, services
from .forms import TokenCreateForm
from .tables import api_token_table


def _require_verified_member(request):
    user = request.user
    verified = getattr(user, "is_verified", lambda: False)()
    if not (user.is_authenticated and verified and schools_where(user).exists()):
        raise PermissionDenied


@never_cache
def token_list(request):
    _require_verified_member(request)
    form = TokenCreateForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _token, secret = services.token_create(user=request.user, **form.cleaned_data)
        form = TokenCreateForm()
    tokens = list(selectors.tokens_of(request.user))
    return TemplateResponse(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "table": api_token_table(tokens),
            "secret": secret,
        },
    )


@require_POST
def token_revoke(request, pk):
    _require_verified_member(request)
    token = get_object_or_404(selectors.tokens_of(request.user), pk=pk)
    services.token_revoke(token=token)
    messages.success(request, _("Revoked “%(name)s”.") % {"name": token.name})
    return redirect("api:api_tokens")
