"""What the transfer writes share: the DSL check, the audit line, a receipt, the
documents kept on a transfer, and running a write inside a step."""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import School, User
from accounts.selectors import CASE_ROLES, schools_where
from audit.services import record_access
from records.models import Pupil, Transfer, TransferDocument
from records.services import document_store, files_removed_on_failure

from ... import services as casework
from ...models import CaseProcess, CaseTask

Result = TypeVar("Result")


def check_dsl(user: User, school: School) -> None:
    """Only a DSL or deputy of the transfer's school works on it."""
    if not schools_where(user, *CASE_ROLES).filter(pk=school.pk).exists():
        raise PermissionDenied


def access_record(pupil: Pupil, event: str, transfer: Transfer, **extra: Any) -> None:
    """The audit line for a child's file leaving the school or being opened."""
    record_access(obj=pupil, event=event, transfer=transfer.reference, **extra)


def complete(
    task: CaseTask, user: User, write: Callable[[CaseProcess], Result]
) -> Result:
    """Write the step's record and move the process on (workflows.services). Read
    from the module at call time: the casework clock imports this package while
    workflows.services is still being imported."""
    return casework.step_complete(task, user, write)


def run_in_step(
    task: CaseTask, user: User, write: Callable[[CaseProcess], Result]
) -> Result:
    """Write on an open step without completing it (the receive step stays open
    until the checklist is done): casework's one helper for that, with one message
    whether the step is over or not the user's."""
    refused = _("Claim this task before working on it.")
    return casework.step_write(
        task, user, write, done_message=refused, claim_message=refused
    )


def receipt_keep(
    transfer: Transfer,
    *,
    via: Transfer.ReceiptVia,
    name: str,
    role: str,
    school_name: str,
    received_on: date,
    evidence: str = "",
    manifest_hash: str = "",
) -> None:
    """The receipt on the sending school's transfer. `manifest_hash` is the hash
    the receiver gave (typed on the link page, in a signed receipt, or read from
    the bundle it imported here): never filled in for them."""
    transfer.receipt_via = via
    transfer.received_by_name = name
    transfer.received_by_role = role
    transfer.received_school_name = school_name
    transfer.received_on = received_on
    transfer.receipt_manifest_hash = manifest_hash
    transfer.receipt_evidence = evidence
    transfer.receipt_recorded_at = timezone.now()
    transfer.status = Transfer.Status.RECEIVED
    transfer.full_clean()
    transfer.save()


def documents_keep(
    transfer: Transfer,
    uploads: Iterable[UploadedFile],
    purpose: TransferDocument.Purpose,
    user: User,
) -> None:
    """Keep uploaded files on the transfer, checked as every attachment is
    (records.services.document_store); a failure removes what was written."""
    with files_removed_on_failure() as stored:
        for upload in uploads:
            document = TransferDocument(transfer=transfer, purpose=purpose)
            document_store(document, upload, user, stored)
