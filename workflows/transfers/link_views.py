"""The receiving school's one-time link to a transferred file: no account, one
download, then the receipt. Mounted at /transfer/<token>/ by chronicle.urls."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from chronicle.forms import add_service_errors
from records.views import document_response

from . import selectors, services
from .forms import LinkReceiptForm


@never_cache
def transfer_link(request, token):
    transfer = selectors.link_transfer(token)
    if transfer is None:
        raise Http404
    form = LinkReceiptForm(
        request.POST if request.POST.get("form") == "receipt" else None
    )
    if request.method == "POST" and request.POST.get("form") == "download":
        try:
            document = services.link_download(token=token)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("transfer_link", token=token)
        return document_response(document)
    if request.method == "POST" and form.is_valid():
        try:
            services.link_receipt(
                token=token,
                **{
                    "name": form.cleaned_data["name"],
                    "role": form.cleaned_data["role"],
                    "school_name": form.cleaned_data["school_name"],
                    "received_on": form.cleaned_data["received_on"],
                    "manifest_hash": form.cleaned_data["manifest_hash"],
                },
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: the receipt is recorded."))
            return redirect("transfer_link", token=token)
    response = TemplateResponse(
        request,
        "workflows/transfers/link.html",
        {
            "transfer": transfer,
            "state": selectors.link_state(transfer),
            "form": form,
            "initials": _initials(transfer.pupil),
        },
    )
    # The token is in the address: it must never leave in a Referer header. Not
    # "no-referrer": Chromium then posts forms with "Origin: null", which the CSRF
    # check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _initials(pupil):
    """The link page names the child by initials only: the link may be forwarded."""
    return f"{pupil.first_name[:1]}{pupil.last_name[:1]}"
