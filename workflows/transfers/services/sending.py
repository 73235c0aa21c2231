"""Writes for a file leaving the school: start the transfer, build and send the
bundle (again, if need be), record a receipt that came on paper and the handover
conversation, and close the transfer."""

import re
import secrets
import uuid
from datetime import date, timedelta
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import School, User
from records.chronology import Filters, chronology, matches
from records.frontsheet import front_sheet
from records.models import Pupil, Transfer, TransferDocument
from records.redaction import redact_other_children
from records.services import files_removed_on_failure

from ...models import CaseProcess, CaseTask
from ...services import EditConflict, last_change
from .. import bundle, receipt
from ..flows import TransferOutFlow, deadline_for
from ..selectors import CONVERSATION_FIELDS, conversation_version, token_hash
from .arrival import arrival_announce
from .common import access_record, check_dsl, complete, documents_keep, receipt_keep

# How long a one-time link stays open.
LINK_DAYS = 7

# What a send returns: the transfer, the passphrase and the link's token (empty
# when the file went another way), shown once and never stored.
Sent = tuple[Transfer, str, str]


def transfer_out_start(
    *, pupil: Pupil, user: User, submission_key: Any = None, **fields: Any
) -> Transfer:
    """Record that a child is leaving and start the transfer. The same submission
    key twice (a double click) makes one transfer."""
    if submission_key is not None:
        existing = Transfer.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    try:
        return _transfer_out_start(
            pupil=pupil, user=user, submission_key=submission_key, **fields
        )
    except IntegrityError:
        existing = Transfer.objects.filter(submission_key=submission_key).first()
        if submission_key is None or existing is None:
            raise
        return existing


@transaction.atomic
def _transfer_out_start(
    *,
    pupil: Pupil,
    user: User,
    starts_on: date,
    other_school_name: str,
    other_contact: str = "",
    other_school: School | None = None,
    submission_key: Any = None,
) -> Transfer:
    check_dsl(user, pupil.school)
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if Transfer.objects.filter(
        pupil=pupil,
        direction=Transfer.Direction.OUT,
        status__in=[Transfer.Status.PREPARING, Transfer.Status.SENT],
    ).exists():
        raise ValidationError(
            _("A transfer of this file is already under way: finish that one first.")
        )
    if other_school is not None:
        other_school_name = other_school_name or other_school.name
    transfer = Transfer(
        direction=Transfer.Direction.OUT,
        status=Transfer.Status.PREPARING,
        pupil=pupil,
        school=pupil.school,
        other_school=other_school,
        other_school_name=other_school_name,
        other_contact=other_contact,
        starts_on=starts_on,
        deadline=deadline_for(school=pupil.school, starts_on=starts_on),
        started_by=user,
        submission_key=submission_key,
    )
    transfer.full_clean()
    transfer.save()
    TransferOutFlow.start.run(transfer=transfer)
    return transfer


def transfer_send(
    *,
    task: CaseTask,
    user: User,
    kinds: list[str],
    delivery: str,
    delivery_note: str = "",
    redact: bool = False,
) -> Sent:
    """Build the bundle, keep it, and send it: returns (transfer, passphrase, token).
    The passphrase and the link are shown once and never stored; only the link's
    hash is kept."""
    if delivery != Transfer.Delivery.LINK and not (delivery_note or "").strip():
        raise ValidationError(
            {"delivery_note": _("Say how and to whom the file was sent.")}
        )
    sent: dict[str, Sent] = {}
    # If the step rolls back, the bundle written to storage must not outlive it.
    with files_removed_on_failure() as stored:

        def write(process: CaseProcess) -> Transfer:
            transfer = Transfer.objects.select_for_update().get(pk=process.transfer_id)
            sent["result"] = _build_and_send(
                transfer,
                user,
                kinds=kinds,
                delivery=delivery,
                delivery_note=delivery_note,
                stored=stored,
                redact=redact,
            )
            arrival_announce(transfer)
            return transfer

        complete(task, user, write)
    return sent["result"]


@transaction.atomic
def transfer_resend(*, transfer: Transfer, user: User) -> Sent:
    """A new bundle, passphrase and link, when the link expired or the passphrase
    was lost before the receipt: the old link stops working."""
    check_dsl(user, transfer.school)
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.direction != Transfer.Direction.OUT or not transfer.sent_at:
        raise ValidationError(_("This file has not been sent yet."))
    if transfer.has_receipt or transfer.completed_at:
        raise ValidationError(_("The receipt is recorded: nothing to send again."))
    with files_removed_on_failure() as stored:
        return _build_and_send(
            transfer,
            user,
            kinds=transfer.kinds,
            delivery=transfer.delivery,
            delivery_note=transfer.delivery_note,
            stored=stored,
            redact=transfer.redacted,
        )


def _build_and_send(
    transfer: Transfer,
    user: User,
    *,
    kinds: list[str],
    delivery: str,
    delivery_note: str,
    stored: list[FieldFile],
    redact: bool = False,
) -> Sent:
    """Build the bundle and keep it; `stored` gets the file written, for the caller
    to remove if its transaction fails. With `redact`, other children's details
    are taken out of the content before it is packaged (records.redaction: the
    bundle's format knows nothing of it)."""
    pupil = transfer.pupil
    everything = chronology(pupil, user=user, newest_first=True)
    front = front_sheet(pupil, entries=everything)
    redaction = {}
    if redact:
        redacted = redact_other_children(pupil=pupil, entries=everything, front=front)
        everything, front = redacted.entries, redacted.front
        redaction["redacted"] = redacted.summary()
    filters = Filters(kinds=frozenset(kinds))
    entries = [entry for entry in everything if matches(entry, filters)]
    passphrase = bundle.new_passphrase()
    transfer.kinds = sorted(kinds)
    # A new bundle, a new challenge: a receipt for an earlier one won't verify.
    transfer.receipt_challenge = receipt.new_challenge()
    transfer.redacted = redact
    archive, manifest_hash = bundle.build(
        transfer=transfer,
        user=user,
        entries=entries,
        front=front,
        pdf_reason=_("Transfer to %(school)s") % {"school": transfer.other_school_name},
        passphrase=passphrase,
        receipt_challenge=transfer.receipt_challenge,
    )
    now = timezone.now()
    document = TransferDocument(
        transfer=transfer,
        purpose=TransferDocument.Purpose.BUNDLE,
        # No name, UPN or date of birth: the file name is seen by mail servers,
        # download folders and anyone looking over a shoulder.
        original_name=f"chronicle-transfer-{transfer.reference}.zip",
        content_type="application/zip",
        size=len(archive),
        sha256=bundle.sha256(archive),
        uploaded_by=user,
    )
    document.file.save(f"{uuid.uuid4().hex}.zip", ContentFile(archive), save=False)
    stored.append(document.file)
    document.save()
    transfer.manifest_hash = manifest_hash
    transfer.bundle_built_at = now
    transfer.delivery = delivery
    transfer.delivery_note = delivery_note
    transfer.sent_at, transfer.sent_by = now, user
    transfer.status = Transfer.Status.SENT
    token = ""
    transfer.link_token_hash, transfer.link_used_at = "", None
    transfer.link_expires_at = None
    if delivery == Transfer.Delivery.LINK:
        token = secrets.token_urlsafe(32)
        transfer.link_token_hash = token_hash(token)
        transfer.link_expires_at = now + timedelta(days=LINK_DAYS)
    transfer.save()
    access_record(
        pupil, "file sent for transfer", transfer, entries=len(entries), **redaction
    )
    return transfer, passphrase, token


@transaction.atomic
def receipt_record(
    *,
    transfer: Transfer,
    user: User,
    name: str,
    role: str,
    school_name: str,
    received_on: date,
    evidence: str,
    document: UploadedFile | None = None,
) -> Transfer:
    """The sending DSL records a receipt that came on paper or by email, with the
    evidence (what it says, and a scan or the email as a document)."""
    check_dsl(user, transfer.school)
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.direction != Transfer.Direction.OUT or not transfer.sent_at:
        raise ValidationError(_("Send the file before recording its receipt."))
    if transfer.has_receipt:
        raise ValidationError(_("A receipt is already recorded for this transfer."))
    if not (evidence or "").strip():
        raise ValidationError({"evidence": _("Say what the receipt is.")})
    receipt_keep(
        transfer,
        via=Transfer.ReceiptVia.RECORDED,
        name=name,
        role=role,
        school_name=school_name,
        received_on=received_on,
        evidence=evidence,
    )
    if document is not None:
        documents_keep(transfer, [document], TransferDocument.Purpose.EVIDENCE, user)
    return transfer


@transaction.atomic
def conversation_record(
    *,
    transfer: Transfer,
    user: User,
    with_whom: str = "",
    on: date | None = None,
    summary: str = "",
    not_needed: str = "",
    loaded: str | None = None,
) -> Transfer:
    """The handover conversation (out: with the new school's DSL; in: with the
    previous school's), or why none was needed. It can be held before the move.

    Any DSL at the school may record it, so it is saved only if the stored record
    is still the one the DSL's page was loaded from (`loaded`, a
    conversation_version; by default the transfer as the caller holds it).
    Otherwise nothing is saved and EditConflict says who recorded what, and when.
    The row is locked for the check and the save, so of two DSLs saving at once
    the second waits and is told. While nothing is recorded there is nothing to
    lose; saving what is already stored writes nothing."""
    if loaded is None:
        loaded = conversation_version(transfer)
    check_dsl(user, transfer.school)
    if not (summary or "").strip() and not (not_needed or "").strip():
        raise ValidationError(_("Record the conversation, or say why none was needed."))
    if (summary or "").strip() and not ((with_whom or "").strip() and on):
        raise ValidationError(_("Say who you spoke to, and when."))
    stored = Transfer.objects.select_for_update().get(pk=transfer.pk)
    typed = {
        "conversation_with": with_whom,
        "conversation_on": on,
        "conversation_summary": summary,
        "conversation_not_needed": not_needed if not summary else "",
    }
    if all(getattr(stored, name) == value for name, value in typed.items()):
        return stored
    if stored.conversation_done and loaded != conversation_version(stored):
        change = last_change(stored, CONVERSATION_FIELDS)
        raise EditConflict(
            stored=stored,
            version=conversation_version(stored),
            who=stored.conversation_recorded_by,
            when=change.timestamp if change else None,
            missing=not re.fullmatch(r"[0-9a-f]{32}", loaded),
        )
    for name, value in typed.items():
        setattr(stored, name, value)
    stored.conversation_recorded_by = user
    stored.full_clean()
    stored.save()
    return stored


def transfer_out_complete(*, task: CaseTask, user: User) -> Transfer:
    """Close the transfer: receipt kept, conversation recorded. The school keeps its
    copy; the file is marked transferred and the retention clock runs."""

    def write(process: CaseProcess) -> Transfer:
        transfer = Transfer.objects.select_for_update().get(pk=process.transfer_id)
        problems = []
        if not transfer.has_receipt:
            problems.append(
                _(
                    "No receipt yet: the receiving DSL confirms through the link, or "
                    "you record their paper or email receipt."
                )
            )
        if not transfer.conversation_done:
            problems.append(
                _("Record the handover conversation, or why none was needed.")
            )
        if problems:
            raise ValidationError(problems)
        transfer.status = Transfer.Status.COMPLETE
        transfer.completed_at = timezone.now()
        transfer.save(update_fields=["status", "completed_at"])
        _leave_when_due(transfer.pupil, cast(date, transfer.starts_on))
        return transfer

    return complete(task, user, write)


def _leave_when_due(pupil: Pupil, starts_on: date, today: date | None = None) -> bool:
    """The child leaves the roll on the day they start at the new school, never
    earlier: a file sent and receipted days before the move leaves the child
    findable, reportable and in the staff pupil picker until then (the clock
    marks the leaving on the day, leavers_mark). A leaving date already
    recorded is kept."""
    today = today or timezone.localdate()
    if pupil.date_left is not None or starts_on > today:
        return False
    pupil.date_left = starts_on
    pupil.save(update_fields=["date_left", "updated_at"])
    return True


def leavers_mark(*, today: date | None = None) -> int:
    """Children whose completed transfer out has reached its start date leave
    the roll (run by the clock sweep); returns how many."""
    today = today or timezone.localdate()
    due = Transfer.objects.filter(
        direction=Transfer.Direction.OUT,
        status=Transfer.Status.COMPLETE,
        starts_on__lte=today,
        pupil__date_left__isnull=True,
    ).select_related("pupil")
    marked = 0
    for transfer in due:
        with transaction.atomic():
            pupil = Pupil.objects.select_for_update().get(pk=transfer.pupil_id)
            marked += _leave_when_due(pupil, cast(date, transfer.starts_on), today)
    return marked
