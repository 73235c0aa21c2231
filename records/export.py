"""The child's file as a PDF (WeasyPrint): the front sheet and the chronology as the
DSL filtered it, with who exported it, when and why on every page."""

from django.template.loader import render_to_string
from django.utils import timezone

from audit.services import record_access
from chronicle.pdf import tagged_pdf

from .chronology import Filters, chronology, matches
from .frontsheet import front_sheet
from .redaction import redact_other_children


def file_export(*, pupil, user, filters, reason, redact, request=None):
    """The child's file as the PDF the user asked for: the chronology as
    filtered, other children's details redacted when asked (records.redaction),
    with an access line saying who exported what and why (and what was
    redacted)."""
    everything = chronology(pupil, user=user)
    front = front_sheet(pupil, entries=everything)
    details = {}
    if redact:
        redacted = redact_other_children(pupil=pupil, entries=everything, front=front)
        everything, front = redacted.entries, redacted.front
        details["redacted"] = redacted.summary()
    entries = [entry for entry in everything if matches(entry, filters)]
    record_access(
        obj=pupil,
        event="file exported as PDF",
        reason=reason,
        entries=len(entries),
        filtered=filters != Filters(),
        **details,
    )
    return file_pdf(
        pupil=pupil,
        front=front,
        entries=entries,
        user=user,
        reason=reason,
        filtered=filters != Filters(),
        request=request,
    )


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
            # Content passed through records.redaction says so on the first page.
            "redacted": any(entry.redacted for entry in entries),
        },
        request=request,
    )
    return tagged_pdf(html)
