"""Moved to workflows.transfers.views; kept for workflows.wagtail_hooks, which
imports it by this name. Remove once the hooks import the package's views."""

from .transfers.views import (
    transfer_detail,
    transfer_document,
    transfer_in_start,
    transfer_list,
    transfer_out_start,
)

__all__ = [
    "transfer_detail",
    "transfer_document",
    "transfer_in_start",
    "transfer_list",
    "transfer_out_start",
]
