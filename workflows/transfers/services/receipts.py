"""Signed receipts (workflows.transfers.receipt): the receiving installation
signs one when it imports a bundle; the sending DSL pastes or uploads it, and
the transfer is receipted only once it verifies."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from records.models import Transfer

from .. import receipt
from ..bundle import Bundle
from .common import access_record, check_dsl, receipt_keep


def receipt_sign(transfer: Transfer, bundle: Bundle, user: User) -> None:
    """On import here: the receipt for the sending school, kept on the transfer
    in to show (and give again) to the receiving DSL. A version 1 bundle has no
    challenge: its sender is confirmed through the link instead."""
    asked = bundle.data.get("receipt")
    if not isinstance(asked, dict):
        return
    challenge = asked.get("challenge")
    reference = asked.get("reference") or bundle.data.get("transfer_reference")
    if not (
        isinstance(challenge, str)
        and len(challenge) == 64
        and isinstance(reference, str)
        and reference
    ):
        return
    try:
        bytes.fromhex(challenge)
    except ValueError:
        return
    transfer.receipt_challenge = challenge
    transfer.receipt_code = receipt.sign(
        challenge=challenge,
        reference=reference[:40],
        manifest_hash=bundle.manifest_hash,
        received_on=timezone.localdate(),
        received_by=user.get_full_name() or user.username,
        role=_("Designated safeguarding lead"),
        school=transfer.school.name,
    )


@transaction.atomic
def signed_receipt_record(*, transfer: Transfer, user: User, code: str) -> Transfer:
    """The sending DSL pastes (or uploads) the receiving school's signed receipt:
    verified against this transfer's reference, manifest hash and challenge
    before anything is recorded; the receipt's own manifest hash is kept."""
    check_dsl(user, transfer.school)
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.direction != Transfer.Direction.OUT or not transfer.sent_at:
        raise ValidationError(_("Send the file before recording its receipt."))
    if transfer.has_receipt:
        raise ValidationError(_("A receipt is already recorded for this transfer."))
    checked = receipt.verify(
        code,
        reference=transfer.reference,
        manifest_hash=transfer.manifest_hash,
        challenge=transfer.receipt_challenge,
    )
    transfer.receipt_code = code.strip()
    transfer.receipt_key = checked.key
    receipt_keep(
        transfer,
        via=Transfer.ReceiptVia.SIGNED,
        name=checked.received_by,
        role=checked.role,
        school_name=checked.school,
        received_on=checked.received_on,
        manifest_hash=checked.manifest_hash,
        evidence=_("Signed by the installation with key %(fingerprint)s")
        % {"fingerprint": checked.fingerprint},
    )
    access_record(
        transfer.pupil,
        "signed receipt verified",
        transfer,
        key=checked.fingerprint,
    )
    return transfer
