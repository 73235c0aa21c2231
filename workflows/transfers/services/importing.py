"""Bringing a bundle in: check it and keep it for the preview, then import it into
the child's file once, and send the receipt back when the sender uses Chronicle."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import School, User
from audit.services import record_change
from records.models import (
    PreviousSchoolEntry,
    ScanStatus,
    Transfer,
    TransferDocument,
)
from records.services import files_removed_on_failure
from records.uploads import (
    ACCEPTED,
    ACCEPTED_NAMES,
    display_name,
    refuse_if_harmful,
    sniff,
)

from ...models import CaseProcess, CaseTask
from .. import bundle as bundle_format
from ..bundle import Bundle
from .common import check_dsl, receipt_keep, run_in_step
from .history import history_import, key_people_import
from .identity import identity_confirm
from .receipts import receipt_sign


def bundle_preview(
    *, transfer: Transfer, user: User, upload: UploadedFile, passphrase: str
) -> tuple[TransferDocument, Bundle]:
    """Check an uploaded bundle (hashes, format) and keep it for the import:
    returns (document, bundle). Nothing is imported yet."""
    check_dsl(user, transfer.school)
    limit = bundle_format.MAX_UNPACKED_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError({"bundle": _("This file is too large to be a bundle.")})
    content = upload.read()
    bundle = bundle_format.read(content, passphrase)
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
        sha256=bundle_format.sha256(content),
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


def _imported_before(*, school: School, manifest_hash: str) -> Transfer | None:
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


def _refuse_if_imported(*, school: School, manifest_hash: str) -> None:
    first = _imported_before(school=school, manifest_hash=manifest_hash)
    if first is not None:
        raise BundleAlreadyImported(first)


def _scan_bundle(
    *, name: str, bundle: Bundle, user: User, content: bytes | None = None
) -> ScanStatus:
    """Scan the bundle and every file in it before anything is kept. The zip is
    encrypted, so clamd sees the documents only once they are read out of it; a
    harmful one refuses the whole bundle (records.uploads audits it). A bundle is
    never held: it is read whole at import. Returns the ScanStatus to store with."""
    scanned = []
    if content is not None:
        scanned.append(refuse_if_harmful(name=name, chunks=[content], user=user))
    for attachment in bundle.attachments:
        _check_document(attachment, bundle.files[attachment["path"]], within=name)
    names = {item.get("path"): item.get("name") for item in bundle.attachments}
    for path, data in bundle.files.items():
        inner = str(names.get(path) or path)[:255]
        scanned.append(
            refuse_if_harmful(name=inner, chunks=[data], user=user, within=name)
        )
    clean = scanned and set(scanned) == {ScanStatus.CLEAN}
    return ScanStatus.CLEAN if clean else ScanStatus.NOT_SCANNED


def _check_document(attachment: dict, data: bytes, *, within: str) -> None:
    """A document in a bundle gets the checks an attachment gets when uploaded
    here (records.uploads): its size, and its type sniffed from its content,
    never taken from the bundle; the type found is the one stored. One that
    fails refuses the bundle: nothing of it is kept."""
    name = display_name(SimpleUploadedFile(str(attachment.get("name") or ""), b""))
    limit = settings.CHRONICLE_ATTACHMENT_MAX_BYTES
    if len(data) > limit:
        raise ValidationError(
            _(
                "“%(name)s” in “%(bundle)s” is %(size)s; documents can be at most "
                "%(limit)s. Nothing from the bundle was kept: ask the sending "
                "school to send it without that document, and the document "
                "another way."
            )
            % {
                "name": name,
                "bundle": within,
                "size": filesizeformat(len(data)),
                "limit": filesizeformat(limit),
            }
        )
    content_type = sniff(SimpleUploadedFile(name, data))
    if content_type not in ACCEPTED:
        raise ValidationError(
            _(
                "“%(name)s” in “%(bundle)s” isn't a type of file Chronicle accepts "
                "(%(types)s). Nothing from the bundle was kept: ask the sending "
                "school to send it without that document."
            )
            % {"name": name, "bundle": within, "types": ACCEPTED_NAMES}
        )
    attachment["content_type"] = content_type


def bundle_reopen(
    *, transfer: Transfer, user: User, document: TransferDocument, passphrase: str
) -> Bundle:
    """A bundle already checked and kept for this transfer, read again (to show
    its preview once more after a refused import)."""
    check_dsl(user, transfer.school)
    with document.file.open("rb") as handle:
        return bundle_format.read(handle.read(), passphrase)


def bundle_import(
    *,
    task: CaseTask,
    user: User,
    document: TransferDocument,
    passphrase: str,
    identity_reason: str = "",
) -> Transfer:
    """Import a checked bundle into the child's file: each record as the same
    kind of record made here, marked as come from the previous school (what
    cannot be made as one stays text), the documents with their entries, the
    social worker added to the key people; the sender's details and the manifest
    hash kept. Checked again here: a bundle is never imported unread, and never
    into another child's file unless a DSL confirmed it is the same child."""

    def write(process: CaseProcess) -> Transfer:
        transfer = Transfer.objects.select_for_update().get(pk=process.transfer_id)
        if transfer.imported_at:
            raise ValidationError(_("A file has already been imported here."))
        with document.file.open("rb") as handle:
            bundle = bundle_format.read(handle.read(), passphrase)
        _refuse_if_imported(school=transfer.school, manifest_hash=bundle.manifest_hash)
        identity_confirm(
            transfer=transfer, user=user, bundle=bundle, reason=identity_reason
        )
        scanned = _scan_bundle(name=document.original_name, bundle=bundle, user=user)
        with files_removed_on_failure() as stored:
            _import(transfer, bundle, user, scan_status=scanned, stored=stored)
        return transfer

    return run_in_step(task, user, write)


def _import(
    transfer: Transfer,
    bundle: Bundle,
    user: User,
    scan_status: ScanStatus = ScanStatus.NOT_SCANNED,
    stored: list[FieldFile] | None = None,
) -> None:
    stored = [] if stored is None else stored
    _claim(transfer, bundle.manifest_hash)
    data = bundle.data
    sender = data.get("sender", {})
    school_name = sender.get("school") or _("previous school")
    made = history_import(
        transfer=transfer,
        bundle=bundle,
        user=user,
        school_name=school_name,
        scan_status=scan_status,
        stored=stored,
    )
    _entries_add(transfer, bundle, school_name, made)
    _documents_add(transfer, bundle, user, school_name, scan_status, stored)
    people = data.get("key_people")
    key_people_import(
        transfer=transfer,
        people=[p for p in people if isinstance(p, dict)]
        if isinstance(people, list)
        else [],
        user=user,
        school_name=school_name,
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
    receipt_sign(transfer, bundle, user)
    transfer.save()
    _receipt_back(transfer, bundle, user)


def _entries_add(
    transfer: Transfer, bundle: Bundle, school_name: str, made: set[str]
) -> None:
    """Each chronology entry of the bundle not made as a record here (a file
    audit, an older file's text, a step without its concern), as text "from
    previous school"."""
    entries = []
    for item in bundle.entries:
        if str(item.get("id")) in made:
            continue
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
                pupil=transfer.pupil,
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
    record_change(
        obj=transfer,
        changes={
            "imported entries": ["0", str(len(entries))],
            "imported records": ["0", str(len(made))],
        },
    )


def _documents_add(
    transfer: Transfer,
    bundle: Bundle,
    user: User,
    school_name: str,
    scan_status: ScanStatus,
    stored: list[FieldFile],
) -> None:
    """The bundle's PDF, and the attachments of entries that came in as text,
    kept on the transfer (the others are with their concern or note)."""
    for attachment in bundle.attachments:
        if attachment.get("placed"):
            continue
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
    pdf = bundle.files.get(bundle_format.PDF)
    if pdf:
        document = TransferDocument(
            transfer=transfer,
            purpose=TransferDocument.Purpose.RECEIVED,
            original_name=f"{school_name} — file.pdf"[:255],
            content_type="application/pdf",
            size=len(pdf),
            sha256=bundle_format.sha256(pdf),
            uploaded_by=user,
            scan_status=scan_status,
        )
        document.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(pdf), save=False)
        stored.append(document.file)
        document.save()


def _claim(transfer: Transfer, manifest_hash: str) -> None:
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


def _receipt_back(transfer: Transfer, bundle: Bundle, user: User) -> None:
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
    receipt_keep(
        source,
        via=Transfer.ReceiptVia.CHRONICLE,
        name=user.get_full_name() or user.username,
        role=_("DSL"),
        school_name=transfer.school.name,
        received_on=timezone.localdate(),
        manifest_hash=bundle.manifest_hash,
    )
