from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from audit.services import record_access

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
    may have it and logged the read."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type or "application/octet-stream",
    )
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
