"""Retention, reads: when a file's review is due, the review queue, the legal holds
in place, the destruction certificates a DSL may see, and what a destruction would
remove (and why it may not happen yet)."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.selectors import schools_where

from ..models import (
    Concern,
    ConcernPupil,
    DestructionCertificate,
    FileNote,
    LegalHold,
    Pupil,
)
from ..selectors import pupils_workable_by

RETENTION_YEARS = 25
# Files reaching their review within this many days are listed, so the DSL can
# plan the review (and place holds) before the date.
REVIEW_WINDOW_DAYS = 90

AnyUser = User | AnonymousUser


def review_date(pupil: Pupil) -> datetime.date:
    """The child's 25th birthday (29 February falls back to 28 February)."""
    born = pupil.date_of_birth
    try:
        return born.replace(year=born.year + RETENTION_YEARS)
    except ValueError:
        return datetime.date(born.year + RETENTION_YEARS, 2, 28)


def born_on_or_before(today: datetime.date) -> datetime.date:
    """The latest birth date whose file is due for review on `today`."""
    try:
        return today.replace(year=today.year - RETENTION_YEARS)
    except ValueError:
        return datetime.date(today.year - RETENTION_YEARS, 2, 28)


def active_holds(pupil: Pupil) -> QuerySet[LegalHold]:
    return pupil.holds.filter(lifted_at__isnull=True)


def retention_queue(
    user: AnyUser, *, today: datetime.date | None = None
) -> QuerySet[Pupil]:
    """Files of children who have left the user's schools (as DSL) whose review
    date has come or comes within the window, with whether a hold is in place.
    One query, whatever the size of the roll."""
    today = today or timezone.localdate()
    horizon = born_on_or_before(today + datetime.timedelta(days=REVIEW_WINDOW_DAYS))
    return (
        pupils_workable_by(user)
        .filter(
            school__in=schools_where(user, Role.DSL),
            date_left__isnull=False,
            date_of_birth__lte=horizon,
        )
        .annotate(
            on_hold=Exists(
                LegalHold.objects.filter(pupil=OuterRef("pk"), lifted_at__isnull=True)
            ),
        )
        .select_related("school")
        .order_by("date_of_birth", "last_name", "pk")
    )


def certificates_visible_to(user: AnyUser) -> QuerySet[DestructionCertificate]:
    return DestructionCertificate.objects.filter(
        school__in=schools_where(user, Role.DSL)
    ).select_related("destroyed_by", "school")


@dataclass
class DestructionScope:
    """What a file's destruction takes beyond the child's own rows: the concerns
    only about them and their transfers (ids)."""

    concerns: list[int]
    transfers: list[int]


def destruction_problems(pupil: Pupil, today: datetime.date) -> list[str]:
    """Why the file may not be destroyed yet; empty when it may."""
    problems: list[str] = []
    if pupil.date_left is None:
        problems.append(_("The child is still on roll: their file is in use."))
    if review_date(pupil) > today:
        problems.append(
            _("The file is kept until %(date)s (the child's 25th birthday).")
            % {"date": review_date(pupil).strftime("%d %b %Y")}
        )
    if active_holds(pupil).exists():
        problems.append(
            _(
                "A legal hold is in place: lift it first, with its reason, if it no "
                "longer applies."
            )
        )
    return problems


def destruction_scope(pupil: Pupil) -> DestructionScope:
    """A concern about an adult (KCSIE Part 4) is not part of the child's file: it
    is kept by its own retention, by outcome (workflows.adults). Only the child's
    part in it (their involvement) goes with the file."""
    involved = Concern.objects.filter(
        involvements__pupil=pupil, about_adult__isnull=True
    )
    shared = ConcernPupil.objects.filter(concern=OuterRef("pk")).exclude(pupil=pupil)
    concerns = list(
        involved.annotate(shared=Exists(shared))
        .filter(shared=False)
        .values_list("pk", flat=True)
    )
    transfers = list(pupil.transfers.values_list("pk", flat=True))
    return DestructionScope(concerns=concerns, transfers=transfers)


def destruction_counts(pupil: Pupil, scope: DestructionScope) -> dict[str, int]:
    return {
        "concerns": len(scope.concerns),
        "concerns_kept_for_other_children": ConcernPupil.objects.filter(pupil=pupil)
        .exclude(concern__in=scope.concerns)
        .count(),
        "notes": FileNote.objects.filter(
            Q(pupil=pupil) | Q(concern__in=scope.concerns)
        ).count(),
        "transfers": len(scope.transfers),
        "entries_from_previous_schools": pupil.previous_entries.count(),
    }


def destruction_preview(
    pupil: Pupil, *, today: datetime.date | None = None
) -> dict[str, object]:
    """What the review page shows: why the file may not go yet, and what would."""
    today = today or timezone.localdate()
    return {
        "problems": destruction_problems(pupil, today),
        "counts": destruction_counts(pupil, destruction_scope(pupil)),
    }
