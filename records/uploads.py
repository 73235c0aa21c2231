"""Checks on files people attach to records: size, a type sniffed from the
content (filetype), never trusted from the name or the browser, and a malware scan
(records.scanning) before anything is stored."""

import codecs
import hashlib
import logging
import os
import uuid

import filetype
from auditlog.context import auditlog_value
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from audit.services import security_event

from .models import ConcernAttachment, NoteAttachment, ScanStatus, TransferDocument
from .scanning import ScanMode, ScannerUnavailable, Verdict, scan_chunks

logger = logging.getLogger(__name__)

MALWARE_EVENT = "upload refused: malware found"

ACCEPTED = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/plain": "txt",
}
ACCEPTED_NAMES = "PDF, JPG, PNG, Word (.docx) or plain text"


def display_name(upload):
    """The name to show: the last path part only, trimmed."""
    name = os.path.basename((upload.name or "").replace("\\", "/")).strip()
    return (name or _("unnamed file"))[:255]


def sniff(upload):
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    try:  # incremental: a character may straddle the end of the sample
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    return "text/plain" if display_name(upload).lower().endswith(".txt") else None


def check_upload(upload, *, user=None):
    """Return the sniffed content type, or raise a ValidationError a person reads.
    `user` is who is uploading (for the audit entry of a refused file); it defaults
    to the request's signed-in user."""
    name = display_name(upload)
    limit = settings.CHRONICLE_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files can be at most %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            }
        )
    content_type = sniff(upload)
    if content_type not in ACCEPTED:
        raise ValidationError(
            _("“%(name)s” isn't a type of file Chronicle accepts (%(types)s).")
            % {"name": name, "types": ACCEPTED_NAMES}
        )
    check_scanned(upload, user=user)
    return content_type


def check_scanned(upload, *, user=None):
    """Scan an uploaded file once (the form and then the service both check it:
    the outcome is kept on the upload object), refusing it if it is harmful.
    Returns the ScanStatus to store the file with."""
    if not hasattr(upload, "chronicle_scan_status"):
        upload.chronicle_scan_status = refuse_if_harmful(
            name=display_name(upload), chunks=_chunks(upload), user=user, can_hold=True
        )
        upload.seek(0)
    return upload.chronicle_scan_status


def _chunks(upload):
    upload.seek(0)
    yield from upload.chunks()
    upload.seek(0)


def refuse_if_harmful(*, name, chunks, user=None, within="", can_hold=False):
    """Scan one file's content before it is stored. Harmful: audited and refused.
    clamd not answering: refused (never stored unscanned), with a log line for the
    administrators, or, with MALWARE_SCAN=hold and a file that can wait
    (`can_hold`), kept as HELD. Returns the ScanStatus to store it with. `within`
    names the bundle a file came in, for the messages."""
    try:
        result = scan_chunks(chunks)
    except ScannerUnavailable as error:
        logger.error("Malware scan of an upload failed: %s", error)
        if can_hold and settings.CHRONICLE_MALWARE_SCAN == ScanMode.HOLD:
            return ScanStatus.HELD
        raise ValidationError(
            _(
                "“%(name)s” can't be accepted just now: every file is checked for "
                "viruses before Chronicle keeps it, and the virus check isn't "
                "answering. What you typed is still here: try again in a few "
                "minutes, and tell your IT support if it keeps happening."
            )
            % {"name": name},
            code="scan_unavailable",
        ) from error
    if result.verdict == Verdict.NOT_SCANNED:
        return ScanStatus.NOT_SCANNED
    if not result.infected:
        return ScanStatus.CLEAN
    _audit_refusal(user=user, name=name, signature=result.signature, within=within)
    found = _(
        "“%(name)s” was not accepted: the virus check found harmful content in it "
        "(%(signature)s). Don't open the file again, and tell your IT support."
    ) % {"name": name, "signature": result.signature}
    if within:
        then = _(
            "It was inside “%(bundle)s”, so nothing from that bundle was kept: ask "
            "the school that sent it to check their copy and send it again."
        ) % {"bundle": within}
    else:
        then = _(
            "What you typed is still here: send it again without this file, or "
            "with a clean copy."
        )
    raise ValidationError(f"{found} {then}", code="malware")


def _audit_refusal(*, user, name, signature, within):
    """An audit entry on the uploader's account: who, which file, which signature,
    never the content. Written before the refusal is raised; the forms check files
    before any transaction starts, so the entry stays when nothing else is saved."""
    uploader = user or _request_user()
    details = {"file": name, "signature": signature}
    if within:
        details["within"] = within
    if uploader is None:
        logger.warning("Harmful upload refused with no signed-in user: %s", details)
        return
    security_event(user=uploader, event=MALWARE_EVENT, **details)


def _request_user():
    """The signed-in user of this request or API call, as the audit log's
    middleware (and the API's token authentication) recorded it."""
    return (auditlog_value.get(None) or {}).get("actor")


def stored_name(content_type):
    """A random name: what people called the file never reaches the file system."""
    return f"{uuid.uuid4().hex}.{ACCEPTED[content_type]}"


def sha256_of(upload):
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def held_files_scan():
    """Scan the files stored while clamd was not answering (MALWARE_SCAN=hold):
    a clean one is released, a harmful one is removed from storage (its record
    stays, marked, and the uploader's account gets the audit entry). Returns
    (released, refused); raises ScannerUnavailable if clamd still doesn't answer,
    leaving the rest held."""
    released = refused = 0
    for model in (ConcernAttachment, NoteAttachment, TransferDocument):
        for document in model.objects.filter(scan_status=ScanStatus.HELD):
            with document.file.open("rb") as handle:
                result = scan_chunks(iter(lambda h=handle: h.read(65536), b""))
            with transaction.atomic():
                document = model.objects.select_for_update().get(pk=document.pk)
                if document.scan_status != ScanStatus.HELD:
                    continue  # another run got there first
                if result.infected:
                    _remove_held(document, result.signature)
                    refused += 1
                else:
                    document.scan_status = ScanStatus.CLEAN
                    document.save(update_fields=["scan_status"])
                    released += 1
    return released, refused


def _remove_held(document, signature):
    document.scan_status = ScanStatus.REFUSED
    document.save(update_fields=["scan_status"])
    security_event(
        user=document.uploaded_by,
        event=MALWARE_EVENT,
        file=document.original_name,
        signature=signature,
        held=True,
    )
    storage, name = document.file.storage, document.file.name
    transaction.on_commit(lambda: storage.delete(name))
