"""The right child: a bundle goes into a child's file only when the child in it
is this child (UPN, legal names, date of birth), or when a DSL has compared the
two side by side and confirmed, with a reason, that they are the same child (a
corrected UPN, a changed surname). Both the comparison and the confirmation are
in the audit log; the confirmation is kept on the transfer."""

import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.services import record_access
from records.models import Pupil, Transfer

from ..bundle import Bundle
from .common import check_dsl

# What must match, in the order the comparison shows it.
MATCHED = {
    "upn": gettext_lazy("UPN"),
    "first_name": gettext_lazy("Legal first name"),
    "last_name": gettext_lazy("Legal last name"),
    "date_of_birth": gettext_lazy("Date of birth"),
}
# Shown beside them, not required to match (they change, or are not kept alike).
SHOWN = {
    "preferred_name": gettext_lazy("Preferred name"),
    "year_group": gettext_lazy("Year group"),
}
REASON_MIN = 15


@dataclass(frozen=True)
class Row:
    """One line of the side-by-side comparison."""

    field: str
    label: str
    sent: str
    here: str
    must_match: bool

    @property
    def differs(self) -> bool:
        return self.must_match and _same(self.field, self.sent) != _same(
            self.field, self.here
        )


def _same(field: str, value: str) -> str:
    """The form two values are compared in: case, accents and spacing aside for
    names; a UPN in capitals; a date as written (ISO)."""
    value = " ".join(str(value or "").split())
    if field == "upn":
        return value.upper()
    if field in ("first_name", "last_name"):
        folded = unicodedata.normalize("NFKD", value.casefold())
        return "".join(c for c in folded if not unicodedata.combining(c))
    return value


def _here(pupil: Pupil, field: str) -> str:
    value = getattr(pupil, field)
    return value.isoformat() if field == "date_of_birth" else str(value or "")


def comparison(*, pupil: Pupil, sent: Any) -> list[Row]:
    """The child in the bundle beside the child here, field by field."""
    sent = sent if isinstance(sent, dict) else {}
    return [
        Row(field, str(label), str(sent.get(field) or ""), _here(pupil, field), must)
        for fields, must in ((MATCHED, True), (SHOWN, False))
        for field, label in fields.items()
    ]


def differences(*, pupil: Pupil, sent: Any) -> list[Row]:
    return [row for row in comparison(pupil=pupil, sent=sent) if row.differs]


def identity_compare(*, transfer: Transfer, user: User, bundle: Bundle) -> list[Row]:
    """The comparison a DSL sees before importing, audited with what differs."""
    check_dsl(user, transfer.school)
    rows = comparison(pupil=transfer.pupil, sent=bundle.data.get("pupil"))
    record_access(
        obj=transfer.pupil,
        event="transfer identity compared",
        transfer=transfer.reference,
        manifest=bundle.manifest_hash,
        differs=[row.field for row in rows if row.differs],
    )
    return rows


def identity_confirm(
    *, transfer: Transfer, user: User, bundle: Bundle, reason: str
) -> None:
    """Refuse the import while the child in the bundle is not this child, unless
    the DSL confirms with a reason; the confirmation goes on the transfer (saved
    with it) and in the audit log."""
    rows = differences(pupil=transfer.pupil, sent=bundle.data.get("pupil"))
    if not rows:
        return
    names = ", ".join(row.label for row in rows)
    if len(reason.strip()) < REASON_MIN:
        raise ValidationError(
            {
                "identity_reason": _(
                    "The child in this file does not match this child (%(fields)s). "
                    "Compare them side by side; import only if they are the same "
                    "child, and say how you know."
                )
                % {"fields": names}
            }
        )
    transfer.identity_check = {
        "differences": [
            {"field": row.field, "sent": row.sent, "here": row.here} for row in rows
        ],
        "reason": reason.strip(),
        "confirmed_by": user.pk,
        "confirmed_by_name": user.get_full_name() or user.username,
        "confirmed_at": timezone.now().isoformat(),
        "manifest": bundle.manifest_hash,
    }
    record_access(
        obj=transfer.pupil,
        event="transfer identity confirmed",
        transfer=transfer.reference,
        manifest=bundle.manifest_hash,
        differs=[row.field for row in rows],
        reason=reason.strip(),
    )
