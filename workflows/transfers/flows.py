"""The two transfer processes on Viewflow, and what each step declares beside it.

Out: the DSL records that a child is leaving (where to, when they start there). The
file is due at the new school within five school days of that date (Keeping
Children Safe in Education). Two steps, worked by the DSL team:

1. *Send the file*: choose what goes (the whole file by default); Chronicle builds
   the bundle (workflows.transfers.bundle) and sends it by a one-time link, or the
   DSL records how it went instead (secure email, courier, by hand).
2. *Receipt and handover conversation*: the receiving DSL confirms receipt through
   the link (or the sender records a paper or email receipt, with evidence), and the
   DSL records the conversation with the new school's DSL, or why none was needed.
   Overdue, the clock reminds the team to chase, then tells the head.

In: when a child joins, the DSL is asked whether a file should follow; if so, a
"Receive and check the file" task waits for it, chased when it does not come. A
bundle is checked (hashes), previewed and imported into the chronology as "from
previous school"; a PDF or scan is kept as documents; a checklist records gaps.

Viewflow stores each flow's dotted path in the database (`flow_class`, and each
task's `flow_task`) and queries by it, so the classes keep the path they were
created under, `workflows.transfers`, where the package re-exports them.
"""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy
from viewflow import this
from viewflow.workflow import act, flow
from viewflow.workflow.activation import Activation

from accounts.calendar import add_school_days
from accounts.models import School
from records.models import Transfer

from ..models import CaseProcess, CaseTask, Team
from ..nodes import CaseworkFlowMixin, TeamTask

# The path Viewflow stored for these flows when they lived in workflows/transfers.py.
STORED_MODULE = "workflows.transfers"

# Keeping Children Safe in Education: the file reaches the new school within five
# school days of the child starting there.
TRANSFER_SCHOOL_DAYS = 5
# A file expected from a previous school that has not come after this many school
# days is chased.
EXPECTED_FILE_SCHOOL_DAYS = 5
ASK_SCHOOL_DAYS = 2


def deadline_for(*, school: School, starts_on: date) -> date:
    """When the file is due at the new school: five school days after the child
    starts there, by the sending school's calendar."""
    return add_school_days(school, starts_on, TRANSFER_SCHOOL_DAYS)


class TransferOutFlow(CaseworkFlowMixin, flow.Flow):
    """A file leaving the school, from "she is leaving" to the receipt."""

    __module__ = STORED_MODULE

    process_title = gettext_lazy("File transfer out")

    start = flow.StartHandle(this.start_transfer).Next(this.send_file)
    send_file = (
        TeamTask()
        .Annotation(title=gettext_lazy("Send the child protection file"))
        .Due(this.deadline)
        .Next(this.confirm_receipt)
    )
    confirm_receipt = (
        TeamTask()
        .Annotation(title=gettext_lazy("Receipt and handover conversation"))
        .Due(this.deadline)
        .Next(this.end)
    )
    end = flow.End()

    def start_transfer(self, activation: Activation, transfer: Transfer) -> CaseProcess:
        return _describe(activation.process, transfer)

    def deadline(self, task: CaseTask) -> date:
        """Five school days from the day the child starts at the new school,
        counted again when the school's calendar changes."""
        return deadline_for(school=task.school, starts_on=task.transfer.starts_on)


class TransferInFlow(CaseworkFlowMixin, flow.Flow):
    """A child who joined: is a file coming, and has it come complete?"""

    __module__ = STORED_MODULE

    process_title = gettext_lazy("File transfer in")

    start = flow.StartHandle(this.start_transfer).Next(this.ask_expected)
    ask_expected = (
        TeamTask()
        .Annotation(title=gettext_lazy("New pupil: is a file expected?"))
        .Due(this.ask_due)
        .Next(this.check_expected)
    )
    check_expected = (
        flow.If(act.process.file_expected).Then(this.receive_file).Else(this.end)
    )
    receive_file = (
        TeamTask()
        .Annotation(title=gettext_lazy("Receive and check the file"))
        .Due(this.receive_due)
        .Next(this.end)
    )
    end = flow.End()

    def start_transfer(self, activation: Activation, transfer: Transfer) -> CaseProcess:
        return _describe(activation.process, transfer)

    def ask_due(self, task: CaseTask) -> date:
        return add_school_days(
            task.school, timezone.localdate(task.created), ASK_SCHOOL_DAYS
        )

    def receive_due(self, task: CaseTask) -> date:
        return add_school_days(
            task.school, timezone.localdate(task.created), EXPECTED_FILE_SCHOOL_DAYS
        )


def _describe(process: CaseProcess, transfer: Transfer) -> CaseProcess:
    process.transfer = transfer
    process.school_id = transfer.school_id
    process.team = Team.DSL
    return process


# What each step declares beside its node ---------------------------------------------

# The receive step's checklist: what a complete file from the previous school holds.
CHECKLIST = (
    ("everything", gettext_lazy("Everything the previous school said it sent arrived")),
    ("cp_plan", gettext_lazy("Child protection / child in need plan, if any")),
    ("social_worker", gettext_lazy("Social worker's name and contact, if any")),
    ("open_referrals", gettext_lazy("Open referrals and their status")),
    ("chronology", gettext_lazy("A chronology of concerns and actions")),
)

# What the clock (workflows.services) tells the team when a step is overdue: what to
# chase, and whom.
REMINDERS = {
    TransferOutFlow.send_file.name: gettext_lazy(
        "The file for %(ref)s was due at the new school on %(due)s: send it now."
    ),
    TransferOutFlow.confirm_receipt.name: gettext_lazy(
        "No receipt or handover conversation yet for %(ref)s (due %(due)s): chase "
        "the receiving school."
    ),
    TransferInFlow.ask_expected.name: gettext_lazy(
        "A new pupil (%(ref)s): say whether a file is expected (due %(due)s)."
    ),
    TransferInFlow.receive_file.name: gettext_lazy(
        "The file expected for %(ref)s has not arrived (due %(due)s): chase the "
        "previous school."
    ),
}
