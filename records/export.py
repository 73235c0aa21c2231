"""The child's file as a PDF (WeasyPrint): the front sheet and the chronology as the
DSL filtered it, with who exported it, when and why on every page."""

from django.template.loader import render_to_string
from django.utils import timezone

from chronicle.pdf import tagged_pdf


def file_pdf(
    *, pupil, front, entries, user, reason, filtered, request=None, documents=()
):
    """The child's file as a PDF. `documents` (a transfer bundle's): each
    document that goes with it, as `{name, path, entry, size}`, listed at the end
    so a school reading only the PDF knows every file it was sent."""
    html = render_to_string(
        "records/file/pdf.html",
        {
            "pupil": pupil,
            "front": front,
            "entries": entries,
            "exported_by": user,
            "exported_at": timezone.localtime(),
            "reason": reason,
            "filtered": filtered,
            "documents": documents,
        },
        request=request,
    )
    return tagged_pdf(html)
