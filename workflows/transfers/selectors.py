"""Reads for file transfers: which transfers a user may see, a transfer's open task,
the one-time link's transfer and state, the handover record's version."""

import hashlib
import json
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.selectors import CASE_ROLES, schools_where
from records.models import Pupil, Transfer
from records.selectors import hidden_pupil_ids

from ..models import CaseTask
from ..selectors import OPEN

# Only children who joined recently are asked about: a first import of the whole
# roll does not raise a task for every child in the school.
RECENT_JOINER_DAYS = 28

# The handover conversation's fields: what conversation_version hashes.
CONVERSATION_FIELDS = [
    "conversation_with",
    "conversation_on",
    "conversation_summary",
    "conversation_not_needed",
]


class LinkState(models.TextChoices):
    """Where a one-time link stands (the pages show each differently)."""

    OPEN = "open"
    USED = "used"
    EXPIRED = "expired"


def transfers_visible_to(user: User | AnonymousUser) -> QuerySet[Transfer]:
    """Transfers of the schools where the user is a DSL or deputy; not of a file
    restricted to other people."""
    if not user.is_authenticated:
        return Transfer.objects.none()
    return Transfer.objects.filter(school__in=schools_where(user, *CASE_ROLES)).exclude(
        pupil__in=hidden_pupil_ids(user)
    )


def open_task(transfer: Transfer) -> CaseTask | None:
    """The transfer's human task still waiting to be done, if any."""
    return (
        CaseTask.objects.filter(
            transfer=transfer, flow_task_type="HUMAN", status__in=OPEN
        )
        .select_related("owner", "school")
        .first()
    )


def token_hash(token: str) -> str:
    """What is stored of a one-time link's token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def link_transfer(token: str) -> Transfer | None:
    """The transfer a one-time link points at, whatever state the link is in."""
    if not token or len(token) > 100:
        return None
    return Transfer.objects.filter(
        link_token_hash=token_hash(token), direction=Transfer.Direction.OUT
    ).first()


def link_state(transfer: Transfer, now: datetime | None = None) -> LinkState:
    """Open (downloadable), used or expired."""
    now = now or timezone.now()
    if transfer.link_used_at:
        return LinkState.USED
    if transfer.link_expires_at is None or transfer.link_expires_at <= now:
        return LinkState.EXPIRED
    return LinkState.OPEN


def conversation_version(transfer: Transfer) -> str:
    """Which handover record a page was loaded from: a hash of the conversation
    as stored. A transfer has no timestamp of the conversation's own (its other
    steps write the row too), and any save that changes the record changes this."""
    values = [str(getattr(transfer, name) or "") for name in CONVERSATION_FIELDS]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:32]


def joined_recently(pupil: Pupil, today: date | None = None) -> bool:
    """Whether a new pupil joined recently enough to be asked about a file."""
    today = today or timezone.localdate()
    joined = pupil.date_joined
    return joined is not None and joined >= today - timedelta(days=RECENT_JOINER_DAYS)
