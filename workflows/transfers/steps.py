"""The transfer steps, declared once: the node, what the queue filter calls it
(workflows.filters) and the forms of the transfer's page that work it
(workflows.transfers.views). They are worked on the transfer's own page, not the
task page (workflows.steps)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from ..nodes import TeamTask
from .flows import TransferInFlow, TransferOutFlow

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class TransferStep:
    node: TeamTask
    label: StrOrPromise
    # The page's forms (its POSTed "form" field) open while the task is at this step.
    forms: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.node.name


TRANSFER_STEPS = (
    TransferStep(TransferOutFlow.send_file, _("Send a file (transfer out)"), ("send",)),
    TransferStep(
        TransferOutFlow.confirm_receipt,
        _("Receipt and handover (transfer out)"),
        ("complete_out",),
    ),
    TransferStep(
        TransferInFlow.ask_expected,
        _("New pupil: is a file expected?"),
        ("expected",),
    ),
    TransferStep(
        TransferInFlow.receive_file,
        _("Receive and check a file (transfer in)"),
        ("preview", "import", "documents", "complete_in"),
    ),
)
