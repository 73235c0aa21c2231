"""On one installation, a file sent to another school of it is announced there at
once: the receiving school's DSLs are told, with the transfer in to work on when
the child is already on their roll (one is started if none is open), so nobody
waits for the link to be typed in before the check begins."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role, User
from records.models import Pupil, Transfer

from ... import services as casework
from ...models import Notification
from .receiving import transfer_in_start


def arrival_announce(transfer: Transfer) -> None:
    """Tell the receiving school's DSLs that `transfer` (out, just sent) is on
    its way. Read at call time: workflows.services imports this package."""
    school = transfer.other_school
    if school is None:
        return
    dsls = User.objects.filter(
        is_active=True,
        memberships__school=school,
        memberships__role__in=[Role.DSL, Role.DEPUTY_DSL],
    ).distinct()
    if not dsls.filter(memberships__role=Role.DSL).exists():
        return  # no DSL there yet: nobody to tell, no one to own a transfer in
    incoming = _transfer_in(transfer)
    url = (
        reverse("workflows:transfer_detail", args=[incoming.pk])
        if incoming
        else reverse("workflows:transfer_list")
    )
    casework.notify(
        users=dsls,
        kind=Notification.Kind.ASSIGNED,
        message=_(
            "A child protection file is on its way from %(school)s (their "
            "reference %(reference)s): their DSL gives you the link and the "
            "passphrase. Receive and check it within five school days."
        )
        % {"school": transfer.school.name, "reference": transfer.reference},
        url=url,
    )


def _transfer_in(transfer: Transfer) -> Transfer | None:
    """The receiving school's open transfer in for this child, started if the
    child is on its roll and none is open; None when the child is not there yet."""
    pupil = (
        Pupil.objects.filter(school=transfer.other_school, upn=transfer.pupil.upn)
        .filter(Q(date_left__isnull=True))
        .first()
    )
    if pupil is None:
        return None
    open_in = Transfer.objects.filter(
        pupil=pupil, direction=Transfer.Direction.IN, completed_at__isnull=True
    ).first()
    return open_in or transfer_in_start(pupil=pupil)
