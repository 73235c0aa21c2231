"""Checks on files people attach to records: size, a type sniffed from the
content (filetype), never trusted from the name or the browser, and a malware scan
(records.scanning) before anything is stored."""

import codecs
import hashlib
import logging
import os
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .scanning import ScannerUnavailable, scan_chunks

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
    the verdict is kept on the upload object), refusing it if it is harmful."""
    if not hasattr(upload, "chronicle_scanned"):
        refuse_if_harmful(name=display_name(upload), chunks=_chunks(upload), user=user)
        upload.chronicle_scanned = True


def _chunks(upload):
    upload.seek(0)
    yield from upload.chunks()
    upload.seek(0)


def refuse_if_harmful(*, name, chunks, user=None, within=""):
    """Scan one file's content before it is stored. Harmful: audited and refused.
    clamd not answering: refused (never stored unscanned), with a log line for the
    administrators. `within` names the bundle a file came in, for the messages."""
    try:
        result = scan_chunks(chunks)
    except ScannerUnavailable as error:
        logger.error("Malware scan of an upload failed: %s", error)
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
    if not result.infected:
        return
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
    from audit.services import security_event

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
    from auditlog.context import auditlog_value

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
