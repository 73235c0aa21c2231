"""One child's chronology: every event about them, from every record, in time order.

A fixed number of queries whatever the length of the file: each source is read once,
with what it needs, and the entries are merged in Python. Only what the user may see
is read: concerns through records.selectors.concerns_visible_to (a concern about an
adult is not in a DSL's view of a child's file).
"""

from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from .models import (
    Action,
    Addendum,
    Closure,
    ConcernPupil,
    Decision,
    FileAudit,
    FileNote,
    ImportedRecord,
    InvolvementRole,
    PreviousSchoolEntry,
    PupilFlag,
    Referral,
    ReferralContact,
    SignificantMark,
    Triage,
)
from .selectors import concerns_visible_to, pupils_visible_to


class Kind(models.TextChoices):
    """What a chronology entry is. The label is what the file's filter calls the
    kind; an entry's own name is ENTRY_LABELS (a note's is its note kind). A member
    is its string: templates and saved filters compare `"note"` as before."""

    CONCERN = "concern", _("Concerns")
    TRIAGE = "triage", _("Triage")
    DECISION = "decision", _("Decisions")
    REFERRAL = "referral", _("Referrals and agency outcomes")
    ACTION = "action", _("Actions")
    CLOSURE = "closure", _("Closures")
    NOTE = "note", _("Notes, meetings and communications")
    FLAG = "flag", _("Profile flags")
    AUDIT = "audit", _("File audits")
    PREVIOUS = "previous", _("From previous schools")


KINDS = dict(Kind.choices)

ENTRY_LABELS = {
    Kind.CONCERN: _("Concern"),
    Kind.TRIAGE: _("Triage"),
    Kind.DECISION: _("Decision"),
    Kind.REFERRAL: _("Referral"),
    "contact": _("Contact with an agency"),
    Kind.ACTION: _("Action"),
    Kind.CLOSURE: _("Closure"),
    Kind.FLAG: _("Profile flag"),
    Kind.AUDIT: _("File audit"),
}


@dataclass
class Entry:
    """One event in the file. `item` is the record; `concern` and `role` say which
    concern it belongs to and how this child was involved in it."""

    kind: Kind
    at: datetime
    item: Any  # a record of one of several models
    concern: Any = None  # a Concern, for entries that belong to one
    role: str = ""
    category: str = ""
    child_voice: str = ""
    significant: bool = False
    addenda: list = field(default_factory=list)
    category_ids: set = field(default_factory=set)
    # An ImportedRecord when a previous school made this record: "from <school>,
    # received <date>" (records.models.transfers).
    imported: Any = None
    # The voice on a concern is the words of the child it is about: in the file
    # of another child of that concern (a witness, the child alleged to have
    # caused harm) it is attributed, or withheld (_attribute_voices).
    voice_by_other: bool = False
    voice_by: str = ""
    voice_withheld: bool = False
    # Copied with other children's details taken out (records.redaction).
    redacted: bool = False

    @property
    def key(self):
        return f"{self.kind}-{self.item.pk}"

    @property
    def kind_label(self):
        """The entry's own name: "Decision", "Meeting notes"…"""
        if self.kind == Kind.NOTE:
            return self.item.get_kind_display()
        if self.kind == Kind.PREVIOUS:
            return _("%(kind)s, from %(school)s") % {
                "kind": self.item.kind_label,
                "school": self.item.school_name,
            }
        return ENTRY_LABELS[self.kind]

    @property
    def has_time(self):
        # A flag has a date only, here or as a previous school sent it.
        return self.kind != Kind.FLAG and not (
            self.kind == Kind.PREVIOUS and self.item.kind == Kind.FLAG
        )


# Events at the same moment read in the order the work happens.
ORDER = {
    kind: index
    for index, kind in enumerate(
        [
            Kind.PREVIOUS,
            Kind.FLAG,
            Kind.CONCERN,
            Kind.TRIAGE,
            Kind.DECISION,
            Kind.REFERRAL,
            "contact",
            Kind.ACTION,
            Kind.NOTE,
            Kind.CLOSURE,
            Kind.AUDIT,
        ]
    )
}


@dataclass(frozen=True)
class Filters:
    kinds: frozenset = frozenset()
    start: object = None
    end: object = None
    category: object = None  # a Term: main category or sub-category
    significant_only: bool = False


def chronology(pupil, *, user, filters=Filters(), newest_first=True):
    """The child's entries the user may see, filtered, in time order."""
    involvements = {
        involvement.concern_id: involvement
        # A concern about an adult is kept apart from the child's file, even
        # for a case manager who is also a DSL (workflows.adults says it exists).
        for involvement in ConcernPupil.objects.filter(
            pupil=pupil,
            concern__in=concerns_visible_to(user),
            concern__about_adult__isnull=True,
        ).select_related("concern", "concern__primary_category", "concern__reported_by")
    }
    concerns = {pk: inv.concern for pk, inv in involvements.items()}
    entries = [
        *_attribute_voices(_concern_entries(involvements), involvements, user),
        *_step_entries(concerns, involvements),
        *_note_entries(pupil, user),
        *_flag_entries(pupil),
        *_audit_entries(pupil),
        *_previous_entries(pupil),
    ]
    _attach_marks(pupil, entries)
    _attach_origins(pupil, entries)
    _attach_current_categories(entries)
    entries = [entry for entry in entries if matches(entry, filters)]
    entries.sort(key=lambda e: (e.at, ORDER[e.kind], e.item.pk), reverse=newest_first)
    return entries


def _concern_entries(involvements):
    for involvement in involvements.values():
        concern = involvement.concern
        yield Entry(
            kind=Kind.CONCERN,
            at=concern.submitted_at,
            item=concern,
            concern=concern,
            role=involvement.get_role_display(),
            category=concern.primary_category_name,
            child_voice=concern.child_voice,
        )


def _attribute_voices(entries, involvements, user):
    """Another child's words on a concern this child is not the subject of: named
    ("said by Ruby Ashdown, the child the concern is about") to a user who may
    read that child's file, else withheld ("said by another child — details
    withheld"). Two queries for the whole file."""
    entries = list(entries)
    others = {
        pk for pk, inv in involvements.items() if inv.role != InvolvementRole.SUBJECT
    }
    if not others:
        return entries
    speakers: dict[int, list] = {}
    for involvement in ConcernPupil.objects.filter(
        concern__in=others, role=InvolvementRole.SUBJECT
    ).select_related("pupil"):
        speakers.setdefault(involvement.concern_id, []).append(involvement.pupil)
    visible = set(
        pupils_visible_to(user)
        .filter(pk__in=[p.pk for ps in speakers.values() for p in ps])
        .values_list("pk", flat=True)
    )
    for entry in entries:
        if entry.item.pk not in others or not entry.child_voice:
            continue
        entry.voice_by_other = True
        children = speakers.get(entry.item.pk, [])
        if children and all(child.pk in visible for child in children):
            entry.voice_by = gettext_now(
                "Said by %(names)s, the child the concern is about"
            ) % {"names": ", ".join(child.display_name for child in children)}
        else:
            entry.voice_by = gettext_now("Said by another child — details withheld.")
            entry.voice_withheld = True
            entry.child_voice = ""
    return entries


STEP_SOURCES = [
    (Kind.TRIAGE, Triage, "triaged_at", ("triaged_by", "primary_category")),
    (Kind.DECISION, Decision, "decided_at", ("decided_by",)),
    (Kind.REFERRAL, Referral, "created_at", ("decision",)),
    ("contact", ReferralContact, "contacted_at", ("recorded_by", "referral")),
    (Kind.ACTION, Action, "created_at", ("assigned_to", "created_by")),
    (
        Kind.CLOSURE,
        Closure,
        "closed_at",
        ("closed_by", "signed_off_by", "sent_back_by"),
    ),
]


def _step_entries(concerns, involvements):
    for kind, model, when, related in STEP_SOURCES:
        for item in model.objects.filter(concern__in=list(concerns)).select_related(
            *related
        ):
            concern = concerns[item.concern_id]
            yield Entry(
                kind=kind,
                at=getattr(item, when),
                item=item,
                concern=concern,
                role=involvements[item.concern_id].get_role_display(),
                category=_category_of(kind, item, concern),
            )


def _category_of(kind, item, concern):
    if kind == Kind.TRIAGE:
        return item.primary_category_name
    return concern.primary_category_name


def _note_entries(pupil, user):
    """Notes on the file; one tied to a concern the user may not read is left out."""
    for note in (
        FileNote.objects.filter(pupil=pupil)
        .filter(Q(concern__isnull=True) | Q(concern__in=concerns_visible_to(user)))
        .select_related("recorded_by", "concern__primary_category")
        .prefetch_related("attachments")
    ):
        yield Entry(
            kind=Kind.NOTE,
            at=note.occurred_at,
            item=note,
            concern=note.concern,
            child_voice=note.child_voice,
        )


def _flag_entries(pupil):
    for flag in PupilFlag.objects.filter(pupil=pupil).select_related("recorded_by"):
        yield Entry(
            kind=Kind.FLAG,
            at=timezone.make_aware(datetime.combine(flag.starts_on, time(0, 0))),
            item=flag,
        )


def _audit_entries(pupil):
    """Completed file audits: the file's own quality record is part of its story."""
    for audit in FileAudit.objects.filter(
        pupil=pupil, completed_at__isnull=False
    ).select_related("auditor"):
        yield Entry(kind=Kind.AUDIT, at=audit.completed_at, item=audit)


def _previous_entries(pupil):
    """What a previous school's file said, as they wrote it (records.transfers)."""
    for item in PreviousSchoolEntry.objects.filter(pupil=pupil):
        yield Entry(kind=Kind.PREVIOUS, at=item.occurred_at, item=item)


def _attach_marks(pupil, entries):
    """Addenda and significance marks, two queries for the whole file."""
    by_target = {(type(entry.item), entry.item.pk): entry for entry in entries}
    types = ContentType.objects.get_for_models(*{model for model, _pk in by_target})
    model_of = {ct.pk: model for model, ct in types.items()}
    for addendum in Addendum.objects.filter(pupil=pupil).select_related("recorded_by"):
        entry = by_target.get(
            (model_of.get(addendum.target_type_id), addendum.target_id)
        )
        if entry is not None:
            entry.addenda.append(addendum)
    for mark in SignificantMark.objects.filter(pupil=pupil):
        entry = by_target.get((model_of.get(mark.target_type_id), mark.target_id))
        if entry is not None:
            entry.significant = True


def _attach_origins(pupil, entries):
    """Which entries a previous school made, one query for the whole file."""
    by_target = {(type(entry.item), entry.item.pk): entry for entry in entries}
    if not by_target:
        return
    types = ContentType.objects.get_for_models(*{model for model, _pk in by_target})
    model_of = {ct.pk: model for model, ct in types.items()}
    for imported in ImportedRecord.objects.filter(pupil=pupil).select_related(
        "transfer"
    ):
        key = (model_of.get(imported.target_type_id), imported.target_id)
        entry = by_target.get(key)
        if entry is not None:
            entry.imported = imported


def _attach_current_categories(entries):
    """Each concern's category as the DSL last set it at triage, else as reported,
    with its tags: what a category filter matches (ids, so renames don't matter)."""
    current = {}
    for entry in sorted(entries, key=lambda e: e.at):
        if entry.kind == Kind.CONCERN:
            concern = entry.item
            current.setdefault(concern.pk, set()).update(
                {concern.primary_category_id, concern.primary_category.parent_id}
            )
        elif entry.kind == Kind.TRIAGE:
            triage = entry.item
            current[triage.concern_id] = {
                triage.primary_category_id,
                triage.primary_category.parent_id,
            }
    for entry in entries:
        if entry.concern is not None:
            entry.category_ids = current.get(entry.concern.pk, set()) - {None}


def matches(entry, filters):
    if filters.kinds and not _kind_matches(entry, filters.kinds):
        return False
    day = timezone.localtime(entry.at).date()
    if filters.start and day < filters.start:
        return False
    if filters.end and day > filters.end:
        return False
    if filters.significant_only and not entry.significant:
        return False
    if filters.category is not None and filters.category.pk not in entry.category_ids:
        return False
    return True


# Filter kinds that take in entries of another kind: a chase is part of the
# referral it chases.
ALSO_MATCHES = {"contact": "referral"}


def _kind_matches(entry, kinds):
    """An entry matches its own kind; "From previous schools" also matches the
    records that came with a transfer (a decision made there is both)."""
    return (
        entry.kind in kinds
        or ALSO_MATCHES.get(entry.kind) in kinds
        or (Kind.PREVIOUS in kinds and entry.imported is not None)
    )


def target_of(pupil, *, user, key):
    """The record behind a chronology entry key ("decision-12"), if it is in this
    child's file for this user; None otherwise (never another child's record)."""
    for entry in chronology(pupil, user=user):
        if entry.key == key:
            return entry.item
    return None
