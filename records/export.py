"""The child's file as a PDF (WeasyPrint): the front sheet and the chronology as the
DSL filtered it, with who exported it, when and why on every page."""

from django.template.loader import render_to_string
from django.utils import timezone

from chronicle.pdf import tagged_pdf


def file_pdf(*, pupil, front, entries, user, reason, filtered, request=None):
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
        },
        request=request,
    )
    return tagged_pdf(html)
