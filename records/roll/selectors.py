"""The pupil roll import, reads: what importing a checked roll file would do to the
school's roll now (new, updated and which fields, unchanged, error, and who would
be marked as left). Writes nothing; a fixed number of queries however long the
file. Pupils are matched on UPN within the school."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import Field, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import School
from taxonomy.models import Term, Vocabulary
from taxonomy.selectors import terms_offered

from ..models import Pupil, PupilFlag
from .reading import FileRow, RollFile, column_label


class Status(StrEnum):
    """What importing a row would do (the preview's data-status and its counts)."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class PreviewRow:
    source: FileRow
    status: str
    pupil: Pupil | None = None  # with the file's values set, not saved
    changes: list = field(default_factory=list)
    new_flags: list = field(default_factory=list)  # Terms to add

    @property
    def errors(self) -> list[dict[str, str]]:
        return [
            {"column": column_label(e["field"]), "message": e["message"]}
            for e in self.source.errors
        ]


@dataclass
class Preview:
    rows: list
    leavers: list  # Pupils on roll whom the import marks as left
    whole_roll: bool
    leavers_blocked: bool = False  # whole roll, but some UPNs can't be read

    def count(self, status: Status) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        counts = Counter(row.status for row in self.rows)
        return {
            **{status.value: counts[status] for status in Status},
            "left": len(self.leavers),
            "flags": sum(len(row.new_flags) for row in self.rows),
        }

    @property
    def has_errors(self) -> bool:
        return self.count(Status.ERROR) > 0

    @property
    def has_work(self) -> bool:
        counts = self.counts
        return bool(counts[Status.NEW] or counts[Status.UPDATED] or self.leavers)


def import_preview(*, school: School, roll: RollFile, whole_roll: bool) -> Preview:
    """What importing `roll` would do to the school's roll now. Writes nothing; a
    fixed number of queries however long the file."""
    now = _RollNow(
        school=school,
        pupils={p.upn: p for p in Pupil.objects.filter(school=school)},
        held=_current_flags(school),
        terms={t.pk: t for t in terms_offered(Vocabulary.PROFILE_FLAG, school=school)},
    )
    on_roll_if_listed = whole_roll and "date_left" not in roll.columns
    rows = [_compare(row, now, on_roll_if_listed) for row in roll.rows]
    blocked = whole_roll and not roll.upns_readable
    leavers = _leavers(now.pupils, roll) if whole_roll and not blocked else []
    return Preview(rows, leavers, whole_roll, leavers_blocked=blocked)


@dataclass
class _RollNow:
    """The school's roll and current flags, read once for the whole file."""

    school: School
    pupils: dict  # UPN -> Pupil
    held: dict  # pupil id -> ids of their current flags
    terms: dict  # id -> profile flag Term in use at the school


def _current_flags(school: School) -> defaultdict[int, set[int]]:
    today = timezone.localdate()
    held: defaultdict[int, set[int]] = defaultdict(set)
    current = PupilFlag.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today), pupil__school=school
    )
    for pupil_id, flag_id in current.values_list("pupil_id", "flag_id"):
        held[pupil_id].add(flag_id)
    return held


def _compare(row: FileRow, now: "_RollNow", on_roll_if_listed: bool) -> PreviewRow:
    """A pupil listed on a whole-roll file without a leaving date is on roll: one
    marked as left before is brought back."""
    if row.errors:
        return PreviewRow(row, Status.ERROR)
    values = row.python_values()
    if on_roll_if_listed:
        values["date_left"] = None
    flags = _terms(row, now.terms)
    pupil = now.pupils.get(row.upn)
    if pupil is None:
        pupil = Pupil(school=now.school, **values)
        return PreviewRow(row, Status.NEW, pupil, new_flags=flags)
    changes = _changes(pupil, values)
    new_flags = [term for term in flags if term.pk not in now.held[pupil.pk]]
    status = Status.UPDATED if changes or new_flags else Status.UNCHANGED
    return PreviewRow(row, status, pupil, changes, new_flags)


def _terms(row: FileRow, terms: dict[int, Term]) -> list[Term]:
    missing = [term_id for term_id in row.flags if term_id not in terms]
    if missing:
        raise ValidationError(
            _(
                "The school's profile flags changed after this file was checked. "
                "Upload the file again."
            )
        )
    return [terms[term_id] for term_id in row.flags]


def _changes(pupil: Pupil, values: dict[str, Any]) -> list[Change]:
    """Set the file's values on the pupil (not saved); say what they change."""
    changes = []
    for name, value in values.items():
        before = getattr(pupil, name)
        if before != value:
            changes.append(
                Change(column_label(name), _show(name, before), _show(name, value))
            )
            setattr(pupil, name, value)
    return changes


def _leavers(pupils: dict[str, Pupil], roll: RollFile) -> list[Pupil]:
    in_file = roll.upns
    leavers = [p for p in pupils.values() if p.on_roll and p.upn not in in_file]
    return sorted(leavers, key=lambda p: (p.last_name, p.first_name, p.pk))


def _show(field_name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, date):
        return date_format(value, "j M Y")
    choices = cast(Field, Pupil._meta.get_field(field_name)).flatchoices
    return str(dict(choices).get(value, value))
