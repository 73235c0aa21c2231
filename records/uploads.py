"""Checks on files people attach to records: size, and a type sniffed from the
content (filetype), never trusted from the name or the browser."""

import codecs
import hashlib
import os
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

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


def check_upload(upload):
    """Return the sniffed content type, or raise a ValidationError a person reads."""
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
    return content_type


def stored_name(content_type):
    """A random name: what people called the file never reaches the file system."""
    return f"{uuid.uuid4().hex}.{ACCEPTED[content_type]}"


def sha256_of(upload):
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
