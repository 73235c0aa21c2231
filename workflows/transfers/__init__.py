"""File transfers: a child protection file leaving the school, or arriving at it.

One feature package in the core apps' shape: `flows` (the two Viewflow processes and
what their steps declare), `services` (writes: the steps, the one-time link, receipts,
the import), `selectors` (reads, permission-filtered), `forms`, `views` and
`link_views` (the receiving school's page), `bundle` (the transfer format).

This module re-exports the public names, as `from workflows import transfers` has
always offered them. It must also hold the two flow classes: Viewflow stores their
path, `workflows/transfers.TransferOutFlow`, in every process and task row.
"""

from .flows import (
    ASK_SCHOOL_DAYS,
    CHECKLIST,
    EXPECTED_FILE_SCHOOL_DAYS,
    REMINDERS,
    TRANSFER_SCHOOL_DAYS,
    TransferInFlow,
    TransferOutFlow,
    deadline_for,
)
from .selectors import (
    CONVERSATION_FIELDS,
    RECENT_JOINER_DAYS,
    LinkState,
    conversation_version,
    joined_recently,
    link_state,
    link_transfer,
    open_task,
    transfers_visible_to,
)
from .services import (
    LINK_DAYS,
    BundleAlreadyImported,
    bundle_import,
    bundle_preview,
    comparison,
    conversation_record,
    documents_add,
    expected_answer,
    identity_compare,
    leavers_mark,
    link_download,
    link_receipt,
    receipt_record,
    signed_receipt_record,
    transfer_in_complete,
    transfer_in_start,
    transfer_out_complete,
    transfer_out_start,
    transfer_resend,
    transfer_send,
)

__all__ = [
    "ASK_SCHOOL_DAYS",
    "CHECKLIST",
    "CONVERSATION_FIELDS",
    "EXPECTED_FILE_SCHOOL_DAYS",
    "LINK_DAYS",
    "RECENT_JOINER_DAYS",
    "REMINDERS",
    "TRANSFER_SCHOOL_DAYS",
    "BundleAlreadyImported",
    "LinkState",
    "TransferInFlow",
    "TransferOutFlow",
    "bundle_import",
    "bundle_preview",
    "comparison",
    "conversation_record",
    "conversation_version",
    "deadline_for",
    "documents_add",
    "expected_answer",
    "identity_compare",
    "joined_recently",
    "leavers_mark",
    "link_download",
    "link_receipt",
    "link_state",
    "link_transfer",
    "open_task",
    "receipt_record",
    "signed_receipt_record",
    "transfer_in_complete",
    "transfer_in_start",
    "transfer_out_complete",
    "transfer_out_start",
    "transfer_resend",
    "transfer_send",
    "transfers_visible_to",
]
