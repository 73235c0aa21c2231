"""Writes for file transfers, by topic: sending a file out, the receiving school's
one-time link, receiving a file, and importing a bundle. Keyword-only, validated,
atomic; a step's write runs under the process lock (workflows.services)."""

from .identity import Row, comparison, identity_compare
from .importing import (
    BundleAlreadyImported,
    bundle_import,
    bundle_preview,
    bundle_reopen,
)
from .link import link_download, link_receipt
from .receipts import signed_receipt_record
from .receiving import (
    documents_add,
    expected_answer,
    transfer_in_complete,
    transfer_in_start,
)
from .sending import (
    LINK_DAYS,
    conversation_record,
    leavers_mark,
    receipt_record,
    transfer_out_complete,
    transfer_out_start,
    transfer_resend,
    transfer_send,
)

__all__ = [
    "LINK_DAYS",
    "BundleAlreadyImported",
    "Row",
    "bundle_import",
    "bundle_preview",
    "bundle_reopen",
    "comparison",
    "conversation_record",
    "documents_add",
    "expected_answer",
    "identity_compare",
    "leavers_mark",
    "link_download",
    "link_receipt",
    "receipt_record",
    "signed_receipt_record",
    "transfer_in_complete",
    "transfer_in_start",
    "transfer_out_complete",
    "transfer_out_start",
    "transfer_resend",
    "transfer_send",
]
