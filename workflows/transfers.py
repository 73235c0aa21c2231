"""Case handover: a child protection file leaving the school, or arriving at it.

Out: the DSL records that a child is leaving (where to, when they start there). The
file is due at the new school within five school days of that date (Keeping
Children Safe in Education). Two steps, worked by the DSL team:

1. *Send the file*: choose what goes (the whole file by default); Chronicle builds
   the bundle (records.transfer_format) and sends it by a one-time link, or the DSL
   records how it went instead (secure email, courier, by hand).
2. *Receipt and handover conversation*: the receiving DSL confirms receipt through
   the link (or the sender records a paper or email receipt, with evidence), and the
   DSL records the conversation with the new school's DSL, or why none was needed.
   Overdue, the clock reminds the team to chase, then tells the head.

In: when a child joins, the DSL is asked whether a file should follow; if so, a
"Receive and check the file" task waits for it, chased when it does not come. A
bundle is checked (hashes), previewed and imported into the chronology as "from
previous school"; a PDF or scan is kept as documents; a checklist records gaps.
"""

import hashlib
import json
import re
import secrets
import uuid
from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow import this
from viewflow.workflow import act, flow, lock

from accounts.selectors import CASE_ROLES, schools_where
from records import transfer_format
from records.models import (
    FileNote,
    KeyPerson,
    PreviousSchoolEntry,
    Pupil,
    ScanStatus,
    Transfer,
    TransferDocument,
)
from records.services import files_removed_on_failure
from records.uploads import display_name

from .models import CaseProcess, CaseTask, Team
from .nodes import TeamTask
from .selectors import OPEN
from .services import EditConflict, last_change

# Keeping Children Safe in Education: the file reaches the new school within five
# school days of the child starting there.
TRANSFER_SCHOOL_DAYS = 5
# A file expected from a previous school that has not come after this many school
# days is chased.
EXPECTED_FILE_SCHOOL_DAYS = 5
ASK_SCHOOL_DAYS = 2
LINK_DAYS = 7
# Only children who joined recently are asked about: a first import of the whole
# roll does not raise a task for every child in the school.
RECENT_JOINER_DAYS = 28

CHECKLIST = (
    ("everything", gettext_lazy("Everything the previous school said it sent arrived")),
    ("cp_plan", gettext_lazy("Child protection / child in need plan, if any")),
    ("social_worker", gettext_lazy("Social worker's name and contact, if any")),
    ("open_referrals", gettext_lazy("Open referrals and their status")),
    ("chronology", gettext_lazy("A chronology of concerns and actions")),
)


def _school_days(task, start, days):
    from accounts.calendar import add_school_days

    return add_school_days(task.school, start, days)


class TransferOutFlow(flow.Flow):
    """A file leaving the school, from "she is leaving" to the receipt."""

    process_class = CaseProcess
    task_class = CaseTask
    lock_impl = lock.select_for_update_lock
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

    def start_transfer(self, activation, transfer):
        return _describe(activation.process, transfer)

    def deadline(self, task):
        """Five school days from the day the child starts at the new school,
        counted again when the school's calendar changes."""
        return _school_days(task, task.transfer.starts_on, TRANSFER_SCHOOL_DAYS)


class TransferInFlow(flow.Flow):
    """A child who joined: is a file coming, and has it come complete?"""

    process_class = CaseProcess
    task_class = CaseTask
    lock_impl = lock.select_for_update_lock
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

    def start_transfer(self, activation, transfer):
        return _describe(activation.process, transfer)

    def ask_due(self, task):
        return _school_days(task, timezone.localdate(task.created), ASK_SCHOOL_DAYS)

    def receive_due(self, task):
        return _school_days(
            task, timezone.localdate(task.created), EXPECTED_FILE_SCHOOL_DAYS
        )


def _describe(process, transfer):
    process.transfer = transfer
    process.school_id = transfer.school_id
    process.team = Team.DSL
    return process


# Reads --------------------------------------------------------------------------------


def transfers_visible_to(user):
    """Transfers of the schools where the user is a DSL or deputy; not of a file
    restricted to other people."""
    from records.selectors import hidden_pupil_ids

    if not user.is_authenticated:
        return Transfer.objects.none()
    return Transfer.objects.filter(school__in=schools_where(user, *CASE_ROLES)).exclude(
        pupil__in=hidden_pupil_ids(user)
    )


def open_task(transfer):
    return (
        CaseTask.objects.filter(
            transfer=transfer, flow_task_type="HUMAN", status__in=OPEN
        )
        .select_related("owner", "school")
        .first()
    )


def deadline_for(*, school, starts_on):
    from accounts.calendar import add_school_days

    return add_school_days(school, starts_on, TRANSFER_SCHOOL_DAYS)


def link_transfer(token):
    """The transfer a one-time link points at, whatever state the link is in."""
    if not token or len(token) > 100:
        return None
    return Transfer.objects.filter(
        link_token_hash=_token_hash(token), direction=Transfer.Direction.OUT
    ).first()


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def link_state(transfer, now=None):
    """'open' (downloadable), 'used', 'expired' or 'closed' (receipt recorded)."""
    now = now or timezone.now()
    if transfer.link_used_at:
        return "used"
    if transfer.link_expires_at is None or transfer.link_expires_at <= now:
        return "expired"
    return "open"


# Writes: out --------------------------------------------------------------------------


def _check_dsl(user, school):
    if not schools_where(user, *CASE_ROLES).filter(pk=school.pk).exists():
        raise PermissionDenied


def transfer_out_start(*, pupil, user, submission_key=None, **fields):
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
    pupil,
    user,
    starts_on,
    other_school_name,
    other_contact="",
    other_school=None,
    submission_key=None,
):
    _check_dsl(user, pupil.school)
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


def _complete(task, user, write):
    from .services import _complete as complete_step

    return complete_step(task, user, write)


def transfer_send(*, task, user, kinds, delivery, delivery_note=""):
    """Build the bundle, keep it, and send it: returns (transfer, passphrase, token).
    The passphrase and the link are shown once and never stored; only the link's
    hash is kept."""
    if delivery != Transfer.Delivery.LINK and not (delivery_note or "").strip():
        raise ValidationError(
            {"delivery_note": _("Say how and to whom the file was sent.")}
        )
    sent = {}
    # If the step rolls back, the bundle written to storage must not outlive it.
    with files_removed_on_failure() as stored:

        def write(process):
            transfer = Transfer.objects.select_for_update().get(pk=process.transfer_id)
            sent["result"] = _build_and_send(
                transfer,
                user,
                kinds=kinds,
                delivery=delivery,
                delivery_note=delivery_note,
                stored=stored,
            )
            return transfer

        _complete(task, user, write)
    return sent["result"]


@transaction.atomic
def transfer_resend(*, transfer, user):
    """A new bundle, passphrase and link, when the link expired or the passphrase
    was lost before the receipt: the old link stops working."""
    _check_dsl(user, transfer.school)
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
        )


def _build_and_send(transfer, user, *, kinds, delivery, delivery_note, stored):
    """Build the bundle and keep it; `stored` gets the file written, for the caller
    to remove if its transaction fails."""
    from records.chronology import Filters, chronology, matches
    from records.frontsheet import front_sheet

    pupil = transfer.pupil
    everything = chronology(pupil, user=user, newest_first=True)
    filters = Filters(kinds=frozenset(kinds))
    entries = [entry for entry in everything if matches(entry, filters)]
    passphrase = transfer_format.new_passphrase()
    transfer.kinds = sorted(kinds)
    archive, manifest_hash = transfer_format.build(
        transfer=transfer,
        user=user,
        entries=entries,
        front=front_sheet(pupil, entries=everything),
        pdf_reason=_("Transfer to %(school)s") % {"school": transfer.other_school_name},
        passphrase=passphrase,
    )
    now = timezone.now()
    document = TransferDocument(
        transfer=transfer,
        purpose=TransferDocument.Purpose.BUNDLE,
        original_name=f"{transfer.reference}-{pupil.upn}.zip",
        content_type="application/zip",
        size=len(archive),
        sha256=transfer_format.sha256(archive),
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
        transfer.link_token_hash = _token_hash(token)
        transfer.link_expires_at = now + timedelta(days=LINK_DAYS)
    transfer.save()
    _access(pupil, "file sent for transfer", transfer, entries=len(entries))
    return transfer, passphrase, token


def _access(pupil, event, transfer, **extra):
    from audit.services import record_access

    record_access(obj=pupil, event=event, transfer=transfer.reference, **extra)


@transaction.atomic
def link_download(*, token):
    """The bundle through the one-time link: it works once, before it expires.
    Returns the bundle document, or raises ValidationError saying why not."""
    transfer = link_transfer(token)
    if transfer is None:
        raise ValidationError(_("This link is not valid."))
    state = link_state(transfer)
    if state == "used":
        raise ValidationError(
            _(
                "This link has already been used. Ask the sending school's DSL for a "
                "new one if the file did not arrive."
            )
        )
    if state == "expired":
        raise ValidationError(
            _("This link has expired. Ask the sending school's DSL for a new one.")
        )
    used = Transfer.objects.filter(pk=transfer.pk, link_used_at__isnull=True).update(
        link_used_at=timezone.now()
    )
    if not used:  # the same link opened twice at once: one download
        raise ValidationError(_("This link has already been used."))
    _access(transfer.pupil, "file downloaded through the transfer link", transfer)
    return transfer.documents.filter(purpose=TransferDocument.Purpose.BUNDLE).last()


@transaction.atomic
def link_receipt(*, token, name, role, school_name, received_on, manifest_hash=""):
    """The receiving DSL confirms receipt through the link (no account needed)."""
    transfer = link_transfer(token)
    if transfer is None or transfer.link_used_at is None:
        raise ValidationError(_("Download the file before confirming its receipt."))
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.has_receipt:
        raise ValidationError(_("Receipt of this file has already been confirmed."))
    manifest_hash = (manifest_hash or "").strip().lower()
    if manifest_hash and manifest_hash != transfer.manifest_hash:
        raise ValidationError(
            {
                "manifest_hash": _(
                    "This is not the manifest hash of the file that was sent: check "
                    "you imported the right file, or leave it empty."
                )
            }
        )
    _receipt(
        transfer,
        via=Transfer.ReceiptVia.LINK,
        name=name,
        role=role,
        school_name=school_name,
        received_on=received_on,
    )
    return transfer


def _receipt(transfer, *, via, name, role, school_name, received_on, evidence=""):
    transfer.receipt_via = via
    transfer.received_by_name = name
    transfer.received_by_role = role
    transfer.received_school_name = school_name
    transfer.received_on = received_on
    transfer.receipt_manifest_hash = transfer.manifest_hash
    transfer.receipt_evidence = evidence
    transfer.receipt_recorded_at = timezone.now()
    transfer.status = Transfer.Status.RECEIVED
    transfer.full_clean()
    transfer.save()


@transaction.atomic
def receipt_record(
    *, transfer, user, name, role, school_name, received_on, evidence, document=None
):
    """The sending DSL records a receipt that came on paper or by email, with the
    evidence (what it says, and a scan or the email as a document)."""
    _check_dsl(user, transfer.school)
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.direction != Transfer.Direction.OUT or not transfer.sent_at:
        raise ValidationError(_("Send the file before recording its receipt."))
    if transfer.has_receipt:
        raise ValidationError(_("A receipt is already recorded for this transfer."))
    if not (evidence or "").strip():
        raise ValidationError({"evidence": _("Say what the receipt is.")})
    _receipt(
        transfer,
        via=Transfer.ReceiptVia.RECORDED,
        name=name,
        role=role,
        school_name=school_name,
        received_on=received_on,
        evidence=evidence,
    )
    if document is not None:
        _store(transfer, [document], TransferDocument.Purpose.EVIDENCE, user)
    return transfer


def _store(transfer, uploads, purpose, user):
    """Keep uploaded files on the transfer, checked as every attachment is
    (records.services.document_store); a failure removes what was written."""
    from records.services import document_store

    with files_removed_on_failure() as stored:
        for upload in uploads:
            document = TransferDocument(transfer=transfer, purpose=purpose)
            document_store(document, upload, user, stored)


CONVERSATION_FIELDS = [
    "conversation_with",
    "conversation_on",
    "conversation_summary",
    "conversation_not_needed",
]


def conversation_version(transfer):
    """Which handover record a page was loaded from: a hash of the conversation
    as stored. A transfer has no timestamp of the conversation's own (its other
    steps write the row too), and any save that changes the record changes this."""
    values = [str(getattr(transfer, name) or "") for name in CONVERSATION_FIELDS]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:32]


@transaction.atomic
def conversation_record(
    *, transfer, user, with_whom="", on=None, summary="", not_needed="", loaded=None
):
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
    _check_dsl(user, transfer.school)
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


def transfer_out_complete(*, task, user):
    """Close the transfer: receipt kept, conversation recorded. The school keeps its
    copy; the file is marked transferred and the retention clock runs."""

    def write(process):
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
        pupil = transfer.pupil
        if pupil.date_left is None:
            pupil.date_left = min(transfer.starts_on, timezone.localdate())
            pupil.save(update_fields=["date_left", "updated_at"])
        return transfer

    return _complete(task, user, write)


# Writes: in ---------------------------------------------------------------------------


def transfer_in_start(*, pupil, user=None):
    """Ask the DSL team whether a file should follow this child."""
    if Transfer.objects.filter(
        pupil=pupil,
        direction=Transfer.Direction.IN,
        status__in=[Transfer.Status.EXPECTED, Transfer.Status.IMPORTED],
        completed_at__isnull=True,
    ).exists():
        raise ValidationError(_("A file is already expected for this child."))
    transfer = Transfer(
        direction=Transfer.Direction.IN,
        status=Transfer.Status.EXPECTED,
        pupil=pupil,
        school=pupil.school,
        started_by=user or _system_user(pupil.school),
    )
    transfer.save()
    TransferInFlow.start.run(transfer=transfer)
    return transfer


def _system_user(school):
    """A new pupil from an import has no one who asked: the school's first DSL is
    recorded as starting it (the import itself is in the audit log)."""
    from accounts.models import Role, User

    user = (
        User.objects.filter(memberships__school=school, memberships__role=Role.DSL)
        .order_by("pk")
        .first()
    )
    if user is None:
        raise ValidationError(_("The school has no DSL to ask about the file."))
    return user


def joined_recently(pupil, today=None):
    today = today or timezone.localdate()
    return bool(pupil.date_joined) and pupil.date_joined >= today - timedelta(
        days=RECENT_JOINER_DAYS
    )


def expected_answer(
    *, task, user, expected, other_school_name="", other_contact="", reason=""
):
    def write(process):
        transfer = Transfer.objects.select_for_update().get(pk=process.transfer_id)
        if expected:
            if not other_school_name.strip():
                raise ValidationError(
                    {"other_school_name": _("Which school should send it?")}
                )
            transfer.other_school_name = other_school_name
            transfer.other_contact = other_contact
            transfer.status = Transfer.Status.EXPECTED
        else:
            if not reason.strip():
                raise ValidationError({"reason": _("Say why no file is expected.")})
            transfer.not_expected_reason = reason
            transfer.status = Transfer.Status.NOT_EXPECTED
            transfer.completed_at = timezone.now()
        transfer.save()
        return transfer

    return _complete(task, user, write)


def bundle_preview(*, transfer, user, upload, passphrase):
    """Check an uploaded bundle (hashes, format) and keep it for the import:
    returns (document, bundle). Nothing is imported yet."""
    _check_dsl(user, transfer.school)
    limit = transfer_format.MAX_UNPACKED_BYTES
    if upload.size > limit:
        raise ValidationError({"bundle": _("This file is too large to be a bundle.")})
    content = upload.read()
    bundle = transfer_format.read(content, passphrase)
    _refuse_if_imported(school=transfer.school, manifest_hash=bundle.manifest_hash)
    name = display_name(upload)
    scanned = _scan_bundle(name=name, bundle=bundle, user=user, content=content)
    document = TransferDocument(
        transfer=transfer,
        purpose=TransferDocument.Purpose.RECEIVED,
        scan_status=scanned,
        original_name=name,
        content_type="application/zip",
        size=len(content),
        sha256=transfer_format.sha256(content),
        uploaded_by=user,
    )
    document.file.save(f"{uuid.uuid4().hex}.zip", ContentFile(content), save=False)
    document.save()
    return document, bundle


class BundleAlreadyImported(ValidationError):
    """A bundle comes into a school once: a second import would double every
    entry, document and key person in the child's file. Carries the transfer it
    first came in on, so the page can link to it."""

    def __init__(self, first: Transfer | None):
        self.first = first
        if first is None:
            message = _(
                "This file has already been imported at this school. A file is "
                "imported once: find its transfer in the list of transfers."
            )
        else:
            message = _(
                "This file has already been imported at this school, on transfer "
                "%(reference)s (%(date)s). A file is imported once: open that "
                "transfer to see what came in."
            ) % {
                "reference": first.reference,
                "date": date_format(
                    timezone.localtime(first.imported_at or first.started_at), "j F Y"
                ),
            }
        super().__init__(message)


def _imported_before(*, school, manifest_hash: str) -> Transfer | None:
    return (
        Transfer.objects.filter(
            school=school,
            direction=Transfer.Direction.IN,
            manifest_hash=manifest_hash,
            imported_at__isnull=False,
        )
        .order_by("imported_at", "pk")
        .first()
    )


def _refuse_if_imported(*, school, manifest_hash: str) -> None:
    first = _imported_before(school=school, manifest_hash=manifest_hash)
    if first is not None:
        raise BundleAlreadyImported(first)


def _scan_bundle(*, name, bundle, user, content=None):
    """Scan the bundle and every file in it before anything is kept. The zip is
    encrypted, so clamd sees the documents only once they are read out of it; a
    harmful one refuses the whole bundle (records.uploads audits it). A bundle is
    never held: it is read whole at import. Returns the ScanStatus to store with."""
    from records.uploads import refuse_if_harmful

    scanned = []
    if content is not None:
        scanned.append(refuse_if_harmful(name=name, chunks=[content], user=user))
    names = {item.get("path"): item.get("name") for item in bundle.attachments}
    for path, data in bundle.files.items():
        inner = str(names.get(path) or path)[:255]
        scanned.append(
            refuse_if_harmful(name=inner, chunks=[data], user=user, within=name)
        )
    clean = scanned and set(scanned) == {ScanStatus.CLEAN}
    return ScanStatus.CLEAN if clean else ScanStatus.NOT_SCANNED


def bundle_import(*, task, user, document, passphrase):
    """Import a checked bundle into the child's file: each chronology entry as
    "from previous school", the documents kept, the social worker added to the key
    people; the sender's details and the manifest hash kept. Checked again here:
    a bundle is never imported unread."""

    def write(process):
        transfer = Transfer.objects.select_for_update().get(pk=process.transfer_id)
        if transfer.imported_at:
            raise ValidationError(_("A file has already been imported here."))
        with document.file.open("rb") as handle:
            bundle = transfer_format.read(handle.read(), passphrase)
        _refuse_if_imported(school=transfer.school, manifest_hash=bundle.manifest_hash)
        scanned = _scan_bundle(name=document.original_name, bundle=bundle, user=user)
        with files_removed_on_failure() as stored:
            _import(transfer, bundle, user, scan_status=scanned, stored=stored)
        return transfer

    return _run_in_step(task, user, write)


def _run_in_step(task, user, write):
    """Write on an open step without completing it (the receive step stays open
    until the checklist is done)."""
    with task.activation() as activation:
        task = activation.task
        if task.status not in OPEN or not activation.flow_task.can_execute(user, task):
            from .services import TaskConflict

            raise TaskConflict(_("Claim this task before working on it."))
        return write(activation.process)


def _import(transfer, bundle, user, scan_status=ScanStatus.NOT_SCANNED, stored=None):
    stored = [] if stored is None else stored
    _claim(transfer, bundle.manifest_hash)
    data = bundle.data
    sender = data.get("sender", {})
    school_name = sender.get("school") or _("previous school")
    pupil = transfer.pupil
    entries = []
    for item in bundle.entries:
        occurred = parse_datetime(str(item.get("at") or ""))
        if occurred is None:
            raise ValidationError(_("An entry in the bundle has no valid date."))
        text = item.get("text") or ""
        for addendum in item.get("addenda") or []:
            text += "\n\n" + _("Addendum (%(by)s, %(at)s): %(reason)s — %(text)s") % {
                "by": addendum.get("by", ""),
                "at": addendum.get("at", ""),
                "reason": addendum.get("reason", ""),
                "text": addendum.get("text", ""),
            }
        entries.append(
            PreviousSchoolEntry(
                pupil=pupil,
                transfer=transfer,
                occurred_at=occurred,
                kind=str(item.get("kind") or "")[:30],
                kind_label=str(item.get("kind_label") or item.get("kind") or "")[:100],
                title=str(item.get("title") or "")[:300] or _("Entry"),
                text=text,
                by=str(item.get("by") or "")[:200],
                school_name=school_name[:200],
            )
        )
    for entry in entries:
        entry.full_clean(exclude=["pupil", "transfer"])
    PreviousSchoolEntry.objects.bulk_create(entries)
    # bulk_create skips the audit log's signals: log the import as one change.
    from audit.services import record_change

    record_change(
        obj=transfer,
        changes={"imported entries": ["0", str(len(entries))]},
    )
    for attachment in bundle.attachments:
        document = TransferDocument(
            transfer=transfer,
            purpose=TransferDocument.Purpose.RECEIVED,
            original_name=str(attachment.get("name") or "document")[:255],
            content_type=str(attachment.get("content_type") or "")[:100],
            size=int(attachment.get("size") or 0),
            sha256=attachment["sha256"],
            uploaded_by=user,
            scan_status=scan_status,
        )
        document.file.save(
            uuid.uuid4().hex, ContentFile(bundle.files[attachment["path"]]), save=False
        )
        stored.append(document.file)
        document.save()
    pdf = bundle.files.get(transfer_format.PDF)
    if pdf:
        document = TransferDocument(
            transfer=transfer,
            purpose=TransferDocument.Purpose.RECEIVED,
            original_name=f"{school_name} — file.pdf"[:255],
            content_type="application/pdf",
            size=len(pdf),
            sha256=transfer_format.sha256(pdf),
            uploaded_by=user,
            scan_status=scan_status,
        )
        document.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(pdf), save=False)
        stored.append(document.file)
        document.save()
    for person in data.get("key_people") or []:
        KeyPerson.objects.create(
            pupil=pupil,
            role=_key_role(person.get("role")),
            name=str(person.get("name") or "")[:200] or _("(not given)"),
            organisation=str(person.get("organisation") or "")[:200],
            phone=str(person.get("phone") or "")[:50],
            email=_email(person.get("email")),
            recorded_by=user,
        )
    transfer.sender = {
        "school": school_name,
        "dsl": sender.get("dsl", ""),
        "email": sender.get("email", ""),
        "reference": data.get("transfer_reference", ""),
        "created_at": data.get("created_at", ""),
        "whole_file": data.get("whole_file", True),
    }
    transfer.other_school_name = transfer.other_school_name or school_name
    transfer.manifest_hash = bundle.manifest_hash
    transfer.imported_at = timezone.now()
    transfer.status = Transfer.Status.IMPORTED
    transfer.save()
    _receipt_back(transfer, bundle, user)


def _claim(transfer, manifest_hash):
    """The manifest hash goes on the transfer before anything else is written:
    the database holds one import of a bundle per school (a unique constraint),
    so a second import running at the same moment fails here, cleanly, before
    any entry or document of it is stored."""
    transfer.manifest_hash = manifest_hash
    try:
        with transaction.atomic():
            transfer.save(update_fields=["manifest_hash"])
    except IntegrityError as error:
        first = (
            Transfer.objects.filter(
                school=transfer.school,
                direction=Transfer.Direction.IN,
                manifest_hash=manifest_hash,
            )
            .exclude(pk=transfer.pk)
            .first()
        )
        raise BundleAlreadyImported(first) from error


def _key_role(label):
    roles = {str(choice.label).lower(): choice.value for choice in KeyPerson.Role}
    return roles.get(str(label or "").lower(), KeyPerson.Role.OTHER)


def _email(value):
    from django.core.validators import validate_email

    value = str(value or "")[:254]
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def _receipt_back(transfer, bundle, user):
    """The receipt goes back: when the sending school uses this Chronicle, its
    transfer gets the receipt at once, with the manifest hash of what arrived."""
    source = Transfer.objects.filter(
        direction=Transfer.Direction.OUT,
        manifest_hash=bundle.manifest_hash,
        receipt_via="",
    ).first()
    if source is None:
        return
    transfer.source = source
    transfer.save(update_fields=["source"])
    _receipt(
        source,
        via=Transfer.ReceiptVia.CHRONICLE,
        name=user.get_full_name() or user.username,
        role=_("DSL"),
        school_name=transfer.school.name,
        received_on=timezone.localdate(),
    )


def documents_add(*, task, user, uploads):
    """A PDF or scanned paper file from the previous school, kept on the transfer."""

    def write(process):
        transfer = Transfer.objects.select_for_update().get(pk=process.transfer_id)
        _store(transfer, uploads, TransferDocument.Purpose.RECEIVED, user)
        if transfer.status == Transfer.Status.EXPECTED:
            transfer.status = Transfer.Status.IMPORTED
            transfer.imported_at = timezone.now()
            transfer.save(update_fields=["status", "imported_at"])
        return transfer

    return _run_in_step(task, user, write)


def transfer_in_complete(
    *,
    task,
    user,
    checklist,
    gaps,
    sw_spoke_to="",
    sw_on=None,
    sw_summary="",
    sw_not_yet="",
):
    """The file is in and checked: the checklist and any gaps are recorded, and the
    first conversation with the child's social worker is added to the file."""

    def write(process):
        transfer = Transfer.objects.select_for_update().get(pk=process.transfer_id)
        if transfer.status != Transfer.Status.IMPORTED:
            raise ValidationError(
                _("Import the bundle or add the file's documents first.")
            )
        missing = [key for key, _label in CHECKLIST if not checklist.get(key)]
        if missing and not gaps.strip():
            raise ValidationError(
                {"gaps": _("Say what is missing and what you are doing about it.")}
            )
        if not sw_summary.strip() and not sw_not_yet.strip():
            raise ValidationError(
                {
                    "sw_summary": _(
                        "Record the first conversation with the social worker, or "
                        "say why there is none yet (no social worker, not reached)."
                    )
                }
            )
        if sw_summary.strip():
            if not (sw_spoke_to.strip() and sw_on):
                raise ValidationError(
                    {"sw_spoke_to": _("Say who you spoke to, and when.")}
                )
            FileNote.objects.create(
                pupil=transfer.pupil,
                kind=FileNote.Kind.PHONE,
                title=_("First conversation with the social worker"),
                occurred_at=timezone.make_aware(datetime.combine(sw_on, time(12))),
                body=sw_summary,
                people=sw_spoke_to,
                recorded_by=user,
            )
        transfer.checklist = {key: bool(checklist.get(key)) for key, _l in CHECKLIST}
        transfer.checklist["social_worker_not_yet"] = sw_not_yet
        transfer.gaps = gaps
        transfer.status = Transfer.Status.COMPLETE
        transfer.completed_at = timezone.now()
        transfer.save()
        return transfer

    return _complete(task, user, write)


# The clock ----------------------------------------------------------------------------

REMINDERS = {
    "send_file": gettext_lazy(
        "The file for %(ref)s was due at the new school on %(due)s: send it now."
    ),
    "confirm_receipt": gettext_lazy(
        "No receipt or handover conversation yet for %(ref)s (due %(due)s): chase "
        "the receiving school."
    ),
    "ask_expected": gettext_lazy(
        "A new pupil (%(ref)s): say whether a file is expected (due %(due)s)."
    ),
    "receive_file": gettext_lazy(
        "The file expected for %(ref)s has not arrived (due %(due)s): chase the "
        "previous school."
    ),
}
