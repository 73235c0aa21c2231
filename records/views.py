from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.services import record_access

from .models import ScanStatus
from .selectors import attachments_visible_to


@require_GET
def attachment_download(request, pk):
    """Serve an attachment to those who may read its concern, and log the read."""
    attachment = get_object_or_404(attachments_visible_to(request.user), pk=pk)
    record_access(obj=attachment, event="attachment downloaded")
    return document_response(attachment)


def document_response(document):
    """A stored document (records.models.StoredDocument) as a download: never shown
    inline, sandboxed if a browser tries, never cached. The caller has checked who
    may have it and logged the read. A file held for its virus check, or removed
    by it, is not served (records.scanning)."""
    if document.scan_status == ScanStatus.HELD:
        return _not_served(
            _(
                "“%(name)s” is waiting for its virus check. It can be opened once "
                "the check has passed: try again in a few minutes."
            )
            % {"name": document.original_name}
        )
    if document.scan_status == ScanStatus.REFUSED:
        return _not_served(
            _("“%(name)s” was removed: the virus check found harmful content in it.")
            % {"name": document.original_name}
        )
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type or "application/octet-stream",
    )
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _not_served(message):
    """409: the file exists but cannot be had now (plain text: it opens in the
    download's tab)."""
    return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")
