"""File transfer pages: the list, starting a transfer from a child's file, and the
transfer's own page (where its tasks are worked). The receiving school's one-time
link is in link_views. Thin: forms validate, services write."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from viewflow.workflow.exceptions import FlowLockFailed

from accounts.models import School
from accounts.selectors import CASE_ROLES, schools_where
from audit.services import record_access
from chronicle.forms import add_service_errors
from records.models import Transfer
from records.selectors import concerns_restricted_from, pupils_workable_by
from records.views import document_response

from ..forms import ConversationEditForm
from ..selectors import in_team
from ..services import EditConflict, TaskConflict, task_claim
from . import forms, import_views, selectors, services
from .flows import CHECKLIST
from .steps import TRANSFER_STEPS

PAGE_SIZE = 50
SHOWN_ONCE = "transfer-shown-once-%s"


def transfer_list(request):
    """Files going and coming at the user's schools, the ones needing work first."""
    if not schools_where(request.user, *CASE_ROLES).exists():
        raise PermissionDenied
    items = selectors.transfers_visible_to(request.user).select_related(
        "pupil", "school"
    )
    direction = request.GET.get("direction", "")
    if direction in Transfer.Direction.values:
        items = items.filter(direction=direction)
    if request.GET.get("done") != "on":
        items = items.filter(completed_at__isnull=True)
    items = items.order_by("deadline", "-started_at", "-pk")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "workflows/transfers/list.html",
        {
            "page_obj": page,
            "direction": direction,
            "done": request.GET.get("done") == "on",
            "today": timezone.localdate(),
        },
    )


def transfer_out_start(request, pupil_pk):
    """A child is leaving: where to and when. Starts the transfer's tasks."""
    pupil = get_object_or_404(
        pupils_workable_by(request.user).select_related("school"), pk=pupil_pk
    )
    form = forms.TransferOutStartForm(
        request.POST or None,
        schools=School.objects.exclude(pk=pupil.school_id).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.transfer_out_start(
                pupil=pupil, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Transfer started: the file is due at %(school)s by %(due)s. "
                    "The task to send it is yours."
                )
                % {
                    "school": transfer.other_school_name,
                    "due": transfer.deadline.strftime("%d %b %Y"),
                },
            )
            _claim_open(transfer, request.user)
            return redirect("workflows:transfer_detail", pk=transfer.pk)
    return TemplateResponse(
        request,
        "records/file/form.html",
        {
            "pupil": pupil,
            "form": form,
            "title": _("Transfer the file to a new school"),
            "action": "transfer-out",
        },
    )


@require_POST
def transfer_in_start(request, pupil_pk):
    """A DSL knows a file should come for a child (joined before Chronicle, or by
    hand): the same tasks as for a new joiner."""
    pupil = get_object_or_404(pupils_workable_by(request.user), pk=pupil_pk)
    try:
        transfer = services.transfer_in_start(pupil=pupil, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("records_admin:file_detail", pk=pupil.pk)
    _claim_open(transfer, request.user)
    return redirect("workflows:transfer_detail", pk=transfer.pk)


def _claim_open(transfer, user):
    task = selectors.open_task(transfer)
    if task is not None:
        try:
            task_claim(task=task, user=user)
        except TaskConflict:
            pass


def _transfer(request, pk):
    return get_object_or_404(
        selectors.transfers_visible_to(request.user).select_related(
            "pupil", "school", "source"
        ),
        pk=pk,
    )


# The transfer's page: each POST names its form (workflows.transfers.steps).
STEP_FORMS = {step.name: step.forms for step in TRANSFER_STEPS}


def transfer_detail(request, pk):
    transfer = _transfer(request, pk)
    record_access(
        obj=transfer.pupil, event="transfer read", transfer=transfer.reference
    )
    task = selectors.open_task(transfer)
    posted = request.POST.get("form", "") if request.method == "POST" else ""
    holds = task is not None and task.owner_id == request.user.pk
    step_forms = {name for names in STEP_FORMS.values() for name in names}
    if posted in step_forms:
        if posted not in STEP_FORMS.get(task.step if task else "", ()):
            messages.error(request, _("That step is not open any more."))
            return redirect("workflows:transfer_detail", pk=transfer.pk)
        if not holds:
            messages.error(request, _("Claim this task before working on it."))
            return redirect("workflows:transfer_detail", pk=transfer.pk)
    forms_ = _forms(request, transfer, task, posted)
    if posted:
        handler = HANDLERS.get(posted)
        if handler is None:
            raise Http404
        try:
            response = handler(request, transfer, task, forms_)
        except TaskConflict as conflict:
            messages.error(request, " ".join(conflict.messages))
            return redirect("workflows:transfer_detail", pk=transfer.pk)
        except FlowLockFailed:
            messages.error(
                request, _("A colleague is saving this right now. Try again.")
            )
            return redirect("workflows:transfer_detail", pk=transfer.pk)
        if response is not None:
            return response
    return _page(request, transfer, task, forms_, holds)


def _forms(request, transfer, task, posted):
    data, files = request.POST, request.FILES

    def bound(name, form_class, **kwargs):
        if posted == name:
            return form_class(data, files, **kwargs)
        return form_class(**kwargs)

    return {
        "send": bound("send", forms.SendForm),
        "conversation": bound("conversation", ConversationEditForm, transfer=transfer),
        "receipt": bound("receipt", forms.RecordedReceiptForm),
        "signed_receipt": bound("signed_receipt", forms.SignedReceiptForm),
        "expected": bound("expected", forms.ExpectedForm),
        "preview": bound("preview", forms.BundleForm),
        "import": bound("import", forms.ImportForm),
        "documents": bound("documents", forms.DocumentsForm),
        "complete_in": bound("complete_in", forms.InCompleteForm),
    }


def _send(request, transfer, task, forms_):
    form = forms_["send"]
    if not form.is_valid():
        return None
    try:
        transfer, passphrase, token = services.transfer_send(
            task=task,
            user=request.user,
            kinds=form.cleaned_data["parts"],
            redact=form.cleaned_data["redact_other_children"],
            delivery=form.cleaned_data["delivery"],
            delivery_note=form.cleaned_data["delivery_note"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    _show_once(request, transfer, passphrase, token)
    _claim_open(transfer, request.user)
    messages.success(request, _("The bundle is ready. Give the passphrase separately."))
    return redirect("workflows:transfer_detail", pk=transfer.pk)


def _show_once(request, transfer, passphrase, token):
    """The passphrase and link go to the next page view only, never to the
    database: the session holds them until that page is shown."""
    link = (
        request.build_absolute_uri(reverse("transfer_link", args=[token]))
        if token
        else ""
    )
    request.session[SHOWN_ONCE % transfer.pk] = {"passphrase": passphrase, "link": link}


def _resend(request, transfer, task, forms_):
    try:
        transfer, passphrase, token = services.transfer_resend(
            transfer=transfer, user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("workflows:transfer_detail", pk=transfer.pk)
    _show_once(request, transfer, passphrase, token)
    messages.success(
        request, _("A new bundle and link are ready; the old link no longer works.")
    )
    return redirect("workflows:transfer_detail", pk=transfer.pk)


def _conversation(request, transfer, task, forms_):
    form = forms_["conversation"]
    if not form.is_valid():
        return None
    try:
        services.conversation_record(
            transfer=transfer, user=request.user, **form.cleaned_data
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    except EditConflict as conflict:
        form.refuse(conflict)
        transfer.refresh_from_db(
            fields=[*selectors.CONVERSATION_FIELDS, "conversation_recorded_by"]
        )  # the page shows what is recorded now, above what was typed
        return None
    messages.success(request, _("Handover conversation recorded."))
    return redirect("workflows:transfer_detail", pk=transfer.pk)


def _receipt(request, transfer, task, forms_):
    form = forms_["receipt"]
    if not form.is_valid():
        return None
    try:
        services.receipt_record(
            transfer=transfer, user=request.user, **form.cleaned_data
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, _("Receipt recorded."))
    return redirect("workflows:transfer_detail", pk=transfer.pk)


def _signed_receipt(request, transfer, task, forms_):
    form = forms_["signed_receipt"]
    if not form.is_valid():
        return None
    try:
        services.signed_receipt_record(
            transfer=transfer, user=request.user, code=form.cleaned_data["code"]
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, _("The signed receipt checks out: receipt recorded."))
    return redirect("workflows:transfer_detail", pk=transfer.pk)


def _complete_out(request, transfer, task, forms_):
    try:
        services.transfer_out_complete(task=task, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("workflows:transfer_detail", pk=transfer.pk)
    messages.success(
        request,
        _(
            "Transfer complete. The school keeps its copy of the file; it is marked "
            "transferred and kept until its retention review."
        ),
    )
    return redirect("workflows:transfer_detail", pk=transfer.pk)


def _expected(request, transfer, task, forms_):
    form = forms_["expected"]
    if not form.is_valid():
        return None
    try:
        services.expected_answer(task=task, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    _claim_open(transfer, request.user)
    messages.success(request, _("Saved."))
    return redirect("workflows:transfer_detail", pk=transfer.pk)


def _documents(request, transfer, task, forms_):
    form = forms_["documents"]
    if not form.is_valid():
        return None
    try:
        data = dict(form.cleaned_data)
        services.documents_add(
            task=task, user=request.user, uploads=data.pop("documents"), **data
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(
        request,
        _(
            "The file is kept with the transfer and entered in the child's "
            "chronology, with your summary."
        ),
    )
    return redirect("workflows:transfer_detail", pk=transfer.pk)


def _complete_in(request, transfer, task, forms_):
    form = forms_["complete_in"]
    if not form.is_valid():
        return None
    try:
        services.transfer_in_complete(
            task=task, user=request.user, **form.service_kwargs()
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, _("The file is in and checked."))
    return redirect("workflows:transfer_detail", pk=transfer.pk)


def _held_page(request, transfer, task, forms_, **shown):
    """The page for the user holding the receive task (import_views)."""
    return _page(request, transfer, task, forms_, holds=True, **shown)


HANDLERS = {
    "send": _send,
    "resend": _resend,
    "conversation": _conversation,
    "receipt": _receipt,
    "signed_receipt": _signed_receipt,
    "complete_out": _complete_out,
    "expected": _expected,
    "preview": partial(
        import_views.preview, page=lambda *a, **k: _page(*a, holds=True, **k)
    ),
    "import": partial(
        import_views.import_, page=lambda *a, **k: _page(*a, holds=True, **k)
    ),
    "documents": _documents,
    "complete_in": _complete_in,
}


def _page(request, transfer, task, forms_, holds, preview=None, already_imported=None):
    secret = request.session.pop(SHOWN_ONCE % transfer.pk, None)
    context = {
        "transfer": transfer,
        "pupil": transfer.pupil,
        "task": task,
        "holds": holds,
        "can_claim": task is not None
        and task.owner_id is None
        and task.flow_task.can_assign(request.user, task),
        "can_release": task is not None
        and task.owner_id is not None
        and in_team(request.user, task),
        "forms": forms_,
        "secret": secret,
        "preview": preview,
        "already_imported": already_imported,
        "link_state": selectors.link_state(transfer)
        if transfer.link_token_hash
        else "",
        "documents": transfer.documents.select_related("uploaded_by"),
        "entries": transfer.entries.count()
        + transfer.imported_records.exclude(sent_key="key-person").count(),
        "checklist": [(label, transfer.checklist.get(key)) for key, label in CHECKLIST],
        "today": timezone.localdate(),
        # What the bundle would leave out: concerns restricted away from the sender.
        "hidden_concerns": concerns_restricted_from(
            request.user, pupil=transfer.pupil
        ).count(),
    }
    return TemplateResponse(request, "workflows/transfers/detail.html", context)


def transfer_document(request, pk, document_pk):
    """A transfer's document (our bundle, evidence, what came in), audited."""
    transfer = _transfer(request, pk)
    document = get_object_or_404(transfer.documents, pk=document_pk)
    record_access(
        obj=transfer.pupil,
        event="transfer document downloaded",
        transfer=transfer.reference,
        document=document.original_name,
    )
    return document_response(document)


@require_GET
def transfer_receipt(request, pk):
    """The signed receipt this installation made for a file that came in, as a
    .txt file for the receiving DSL to send back (no personal data in it)."""
    transfer = _transfer(request, pk)
    if transfer.direction != Transfer.Direction.IN or not transfer.receipt_code:
        raise Http404
    record_access(
        obj=transfer.pupil,
        event="signed receipt downloaded",
        transfer=transfer.reference,
    )
    reference = transfer.sender.get("reference") or transfer.reference
    response = HttpResponse(
        transfer.receipt_code + "\n", content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="chronicle-receipt-{reference}.txt"'
    )
    response["Cache-Control"] = "no-store"
    return response
