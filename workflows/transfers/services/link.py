"""Writes through the receiving school's one-time link (no account): the one
download, then the receipt."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from records.models import Transfer, TransferDocument

from ..selectors import LinkState, link_state, link_transfer
from .common import access_record, receipt_keep


@transaction.atomic
def link_download(*, token: str) -> TransferDocument | None:
    """The bundle through the one-time link: it works once, before it expires.
    Returns the bundle document, or raises ValidationError saying why not."""
    transfer = link_transfer(token)
    if transfer is None:
        raise ValidationError(_("This link is not valid."))
    state = link_state(transfer)
    if state == LinkState.USED:
        raise ValidationError(
            _(
                "This link has already been used. Ask the sending school's DSL for a "
                "new one if the file did not arrive."
            )
        )
    if state == LinkState.EXPIRED:
        raise ValidationError(
            _("This link has expired. Ask the sending school's DSL for a new one.")
        )
    used = Transfer.objects.filter(pk=transfer.pk, link_used_at__isnull=True).update(
        link_used_at=timezone.now()
    )
    if not used:  # the same link opened twice at once: one download
        raise ValidationError(_("This link has already been used."))
    access_record(transfer.pupil, "file downloaded through the transfer link", transfer)
    return transfer.documents.filter(purpose=TransferDocument.Purpose.BUNDLE).last()


@transaction.atomic
def link_receipt(
    *,
    token: str,
    name: str,
    role: str,
    school_name: str,
    received_on: date,
    manifest_hash: str = "",
) -> Transfer:
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
    receipt_keep(
        transfer,
        via=Transfer.ReceiptVia.LINK,
        name=name,
        role=role,
        school_name=school_name,
        received_on=received_on,
        manifest_hash=manifest_hash,
    )
    return transfer
