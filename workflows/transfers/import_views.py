"""The receive step's bundle forms on the transfer page: check a bundle (its
preview, with the child in it beside the child here) and import it. The side by
side comparison is audited when shown; a bundle whose child differs imports only
with a DSL's reason (services.identity). Thin: the services decide."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from chronicle.forms import add_service_errors
from records.models import TransferDocument

from . import services

UPLOADED = "transfer-uploaded-%s"


def preview(request, transfer, task, forms_, page):
    form = forms_["preview"]
    if not form.is_valid():
        return None
    try:
        document, bundle = services.bundle_preview(
            transfer=transfer,
            user=request.user,
            upload=form.cleaned_data["bundle"],
            passphrase=form.cleaned_data["passphrase"],
        )
    except services.BundleAlreadyImported as error:
        # The refusal links to the transfer the file first came in on.
        add_service_errors(form, error)
        return page(request, transfer, task, forms_, already_imported=error.first)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    request.session[UPLOADED % document.pk] = form.cleaned_data["passphrase"]
    forms_["import"].initial = {"document": document.pk}
    return _shown(request, transfer, task, forms_, page, document, bundle)


def _shown(request, transfer, task, forms_, page, document, bundle):
    rows = services.identity_compare(
        transfer=transfer, user=request.user, bundle=bundle
    )
    return page(
        request,
        transfer,
        task,
        forms_,
        preview={
            "document": document,
            "bundle": bundle,
            "rows": rows,
            "differs": [row for row in rows if row.differs],
        },
    )


def import_(request, transfer, task, forms_, page):
    form = forms_["import"]
    wanted = str(form.data.get("document", ""))
    document = (
        transfer.documents.filter(
            pk=form.cleaned_data["document"],
            purpose=TransferDocument.Purpose.RECEIVED,
        ).first()
        if form.is_valid()
        else None
    )
    passphrase = request.session.get(UPLOADED % wanted) if document else None
    if document is None or passphrase is None:
        messages.error(request, _("Upload the bundle again to import it."))
        return redirect("workflows:transfer_detail", pk=transfer.pk)
    try:
        services.bundle_import(
            task=task,
            user=request.user,
            document=document,
            passphrase=passphrase,
            identity_reason=form.cleaned_data["identity_reason"],
        )
    except ValidationError as error:
        if "identity_reason" not in getattr(error, "error_dict", {}):
            messages.error(request, " ".join(error.messages))
            return redirect("workflows:transfer_detail", pk=transfer.pk)
        # The same preview again, with what was typed and why it was refused.
        add_service_errors(form, error)
        bundle = services.bundle_reopen(
            transfer=transfer,
            user=request.user,
            document=document,
            passphrase=passphrase,
        )
        return _shown(request, transfer, task, forms_, page, document, bundle)
    request.session.pop(UPLOADED % wanted, None)
    messages.success(
        request,
        _(
            "Imported into the child's file, each record marked as from the "
            "previous school. Now check it against the list below."
        ),
    )
    return redirect("workflows:transfer_detail", pk=transfer.pk)
