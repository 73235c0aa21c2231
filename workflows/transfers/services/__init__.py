"""Writes for file transfers, by topic: sending a file out, the receiving school's
one-time link, receiving a file, and importing a bundle. Keyword-only, validated,
atomic; a step's write runs under the process lock (workflows.services)."""

from .importing import BundleAlreadyImported, bundle_import, bundle_preview
from .link import link_download, link_receipt
from .receiving import (
    documents_add,
    expected_answer,
    transfer_in_complete,
    transfer_in_start,
)
from .sending import (
    LINK_DAYS,
    conversation_record,
    receipt_record,
    transfer_out_complete,
    transfer_out_start,
    transfer_resend,
    transfer_send,
)

__all__ = [
    "LINK_DAYS",
    "BundleAlreadyImported",
    "bundle_import",
    "bundle_preview",
    "conversation_record",
    "documents_add",
    "expected_answer",
    "link_download",
    "link_receipt",
    "receipt_record",
    "transfer_in_complete",
    "transfer_in_start",
    "transfer_out_complete",
    "transfer_out_start",
    "transfer_resend",
    "transfer_send",
]
