"""The front sheet at the top of a child's file: what is happening to this child,
in one screen. Built from the chronology already read, plus the few things that are
not events (current flags, key people, linked files, open tasks).

Apps above records add to the file through three Wagtail hooks, so records never
imports them (see workflows/file_panels.py):

- ``chronicle_file_panels``: ``fn(*, request, pupil)`` returns FilePanels, each a
  template included at one Slot of the file page with the page's context;
- ``chronicle_file_open_tasks``: ``fn(*, concerns)`` returns the OpenTasks of the
  child's open concerns, for the front sheet on screen and in PDFs;
- ``chronicle_concern_page``: ``fn()`` returns the URL name of the page that shows
  a concern (reversed with its pk), which the file links its concerns to.
"""

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from wagtail import hooks

from .chronology import Entry, Kind
from .models import (
    Concern,
    ImportedRecord,
    KeyPerson,
    Pupil,
    PupilFlag,
    PupilLink,
    Referral,
)

FILE_PANELS_HOOK = "chronicle_file_panels"
OPEN_TASKS_HOOK = "chronicle_file_open_tasks"
CONCERN_PAGE_HOOK = "chronicle_concern_page"


class Slot(enum.StrEnum):
    """Where on the file page a panel goes."""

    ACTIONS = "actions"  # the file's buttons, after "Export PDF"
    FRONT_SIDE = "front_side"  # the front sheet's first column, after linked files
    OPEN_WORK = "open_work"  # under "Open concerns and tasks", after the concerns


@dataclass(frozen=True)
class FilePanel:
    """A template included at `slot` with the file page's context (pupil,
    read_only, front, request…)."""

    slot: Slot
    template: str


@dataclass(frozen=True)
class OpenTask:
    """Open work on one of the child's concerns, as the app running it names it.
    `source` is that app's own object, for its panel."""

    title: str
    concern_reference: str
    due_on: date | None
    agency_name: str = ""
    action_description: str = ""
    source: Any = None


def front_sheet(pupil: Pupil, *, entries: Sequence[Entry]) -> dict[str, Any]:
    today = timezone.localdate()
    concerns = {e.concern.pk: e.concern for e in entries if e.kind == Kind.CONCERN}
    open_concerns = [c for c in concerns.values() if c.status != Concern.Status.CLOSED]
    decisions = [e for e in entries if e.kind == Kind.DECISION]
    referrals = [e.item for e in entries if e.kind == Kind.REFERRAL]
    for entry in entries:
        if entry.kind == Kind.REFERRAL:
            # The school a referral was made at, when it came with a transfer.
            entry.item.imported_from = (
                entry.imported.school_name if entry.imported else ""
            )
    reviews = [
        e.item.review_on
        for e in entries
        if e.kind in (Kind.DECISION, Kind.CLOSURE)
        and getattr(e.item, "review_on", None)
    ]
    return {
        "flags": _with_origin(
            PupilFlag.objects.filter(pupil=pupil, starts_on__lte=today)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .order_by("flag_name")
        ),
        "key_people": _with_origin(
            KeyPerson.objects.filter(pupil=pupil).filter(
                Q(to_date__isnull=True) | Q(to_date__gte=today)
            )
        ),
        "links": _links(pupil),
        "open_concerns": sorted(open_concerns, key=lambda c: c.submitted_at),
        "open_tasks": open_tasks(open_concerns),
        "agencies": _agencies(referrals),
        "key_decisions": decisions[:5],
        "next_review": min((d for d in reviews if d >= today), default=None),
        "last_review": max((d for d in reviews if d < today), default=None),
        "concern_count": len(concerns),
        "imported_concern_count": sum(
            1 for e in entries if e.kind == Kind.CONCERN and e.imported is not None
        ),
    }


def open_tasks(concerns: list[Concern]) -> list[OpenTask]:
    """Open tasks of the child's open concerns, from every app that runs them."""
    if not concerns:
        return []
    return [
        task
        for provider in hooks.get_hooks(OPEN_TASKS_HOOK)
        for task in provider(concerns=concerns)
    ]


def file_panels(*, request: HttpRequest, pupil: Pupil) -> dict[str, list[FilePanel]]:
    """Every app's panels for this file, by slot (in hook order)."""
    panels: dict[str, list[FilePanel]] = {slot.value: [] for slot in Slot}
    for provider in hooks.get_hooks(FILE_PANELS_HOOK):
        for panel in provider(request=request, pupil=pupil):
            panels[panel.slot.value].append(panel)
    return panels


def concern_page() -> str | None:
    """The URL name of the page a concern's reference links to, if an app has one."""
    return next((name() for name in hooks.get_hooks(CONCERN_PAGE_HOOK)), None)


def _links(pupil: Pupil) -> list[dict[str, Any]]:
    links = PupilLink.objects.filter(
        Q(from_pupil=pupil) | Q(to_pupil=pupil)
    ).select_related("from_pupil", "to_pupil")
    return [
        {
            "pupil": link.to_pupil
            if link.from_pupil_id == pupil.pk
            else link.from_pupil,
            "kind": link.get_kind_display(),
            "note": link.note,
        }
        for link in links
    ]


def _with_origin(records: QuerySet) -> QuerySet:
    """Each flag or key person with the school it came from (`imported_from`,
    empty when recorded here), in the same query."""
    return records.annotate(
        imported_from=Subquery(
            ImportedRecord.objects.filter(
                target_type=ContentType.objects.get_for_model(records.model),
                target_id=OuterRef("pk"),
            ).values("school_name")[:1]
        )
    )


def _agencies(referrals: Iterable[Referral]) -> list[Referral]:
    """Each agency involved with its latest outcome (and reason, when no action)."""
    latest: dict[str, Referral] = {}
    for referral in sorted(referrals, key=lambda r: r.created_at):
        latest[referral.agency_name] = referral
    return list(latest.values())
