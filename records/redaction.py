"""Third-party redaction: a child's file with other children's details taken out,
for an export (PDF) or a transfer bundle that goes to someone who should not read
about other children (a subject access request, a new school).

One seam, applied to the file's content before it is packaged:

    redacted = redact_other_children(pupil=…, entries=…, front=…)
    # redacted.entries, redacted.front: what to render or bundle
    # redacted.summary(): what was taken out, for the audit log

It takes the chronology's entries and the front sheet and returns copies (the
records themselves are never changed): the names of the other children of the
file's concerns and linked files replaced by "[another child]" in every text of
every entry (and its addenda), another child's words in a concern replaced by
"said by another child — details withheld", and linked files named as "another
child's file". Names that are also this child's own (a sibling's surname) are
left: the file is about this child.

The packaging (records.export.file_pdf, the transfer bundle) knows nothing of
this: it renders what it is given.
"""

import copy
import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from .chronology import Entry
from .models import ConcernPupil, Pupil, PupilLink

# Texts that are never a person's words or account: references, names of terms
# as recorded, keys.
KEPT = {"reference", "agency_name", "primary_category_name", "location_name"}


def another_child() -> str:
    return _("[another child]")


def voice_withheld() -> str:
    return _("Said by another child — details withheld.")


@dataclass
class Redacted:
    entries: list[Entry]
    front: dict[str, Any]
    children: list[int] = field(default_factory=list)
    # (entry key, field name) of every text that changed.
    changed: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """What the audit log keeps: the other children by id (never their names)
        and each entry and field redacted."""
        return {
            "other_children": self.children,
            "fields_redacted": [f"{key}.{name}" for key, name in self.changed],
        }


def redact_other_children(
    *, pupil: Pupil, entries: Sequence[Entry], front: dict[str, Any]
) -> Redacted:
    """The file's content with other children's details taken out (see above)."""
    others = _other_children(pupil, entries)
    pattern = _names_pattern(pupil, others)
    result = Redacted(entries=[], front=dict(front), children=sorted(others))
    by_key = {}
    for entry in entries:
        redacted = _entry(entry, pupil, pattern, result.changed)
        by_key[entry.key] = redacted
        result.entries.append(redacted)
    result.front = _front(front, pupil, pattern, by_key)
    return result


def _other_children(pupil: Pupil, entries: Iterable[Entry]) -> dict[int, Pupil]:
    concerns = {e.concern.pk for e in entries if e.concern is not None}
    others = {
        involvement.pupil_id: involvement.pupil
        for involvement in ConcernPupil.objects.filter(concern__in=concerns)
        .exclude(pupil=pupil)
        .select_related("pupil")
    }
    for link in PupilLink.objects.filter(
        Q(from_pupil=pupil) | Q(to_pupil=pupil)
    ).select_related("from_pupil", "to_pupil"):
        other = link.to_pupil if link.from_pupil_id == pupil.pk else link.from_pupil
        others[other.pk] = other
    return others


def _names_pattern(pupil: Pupil, others: dict[int, Pupil]) -> re.Pattern | None:
    own = {
        name.lower()
        for name in (pupil.first_name, pupil.preferred_name, pupil.last_name)
        if name
    }
    names = set()
    for other in others.values():
        firsts = [n for n in (other.first_name, other.preferred_name) if n]
        names |= {f"{first} {other.last_name}" for first in firsts}
        names |= {n for n in (*firsts, other.last_name) if n and n.lower() not in own}
    if not names:
        return None
    alternatives = "|".join(
        re.escape(name) for name in sorted(names, key=len, reverse=True)
    )
    return re.compile(rf"(?<!\w)(?:{alternatives})(?:'s)?(?!\w)", re.IGNORECASE)


def _text(value: str, pattern: re.Pattern | None) -> str:
    if not pattern or not value:
        return value
    return pattern.sub(another_child(), value)


def _json(value: Any, pattern: re.Pattern | None) -> Any:
    if isinstance(value, str):
        return _text(value, pattern)
    if isinstance(value, list):
        return [_json(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _json(item, pattern) for key, item in value.items()}
    return value


def _record(item: Any, pattern: re.Pattern | None, changed: list, key: str) -> Any:
    """A copy of the record with its texts redacted (never saved)."""
    if not isinstance(item, models.Model):
        return item
    clone = copy.copy(item)
    for model_field in item._meta.concrete_fields:
        name = model_field.attname
        if name in KEPT or model_field.choices:
            continue
        value = getattr(item, name)
        if isinstance(model_field, (models.CharField, models.TextField)):
            new = _text(value, pattern)
        elif isinstance(model_field, models.JSONField):
            new = _json(value, pattern)
        else:
            continue
        if new != value:
            setattr(clone, name, new)
            changed.append((key, name))
    return clone


def _entry(entry: Entry, pupil: Pupil, pattern, changed: list) -> Entry:
    item = _record(entry.item, pattern, changed, entry.key)
    voice = _text(entry.child_voice, pattern)
    withheld = entry.voice_withheld
    if entry.kind == "concern" and entry.voice_by_other and entry.child_voice:
        # Another child's words: never in this child's redacted file.
        item.child_voice = voice_withheld()
        voice, withheld = "", True
        changed.append((entry.key, "child_voice"))
    addenda = [
        _record(addendum, pattern, changed, f"{entry.key}.addendum-{addendum.pk}")
        for addendum in entry.addenda
    ]
    return dataclasses.replace(
        entry,
        item=item,
        child_voice=voice,
        voice_by=voice_withheld() if withheld else "",
        voice_withheld=withheld,
        addenda=addenda,
        redacted=True,
    )


def _front(front, pupil, pattern, by_key) -> dict[str, Any]:
    redacted = dict(front)
    redacted["links"] = [
        {
            **link,
            "pupil": _("another child's file"),
            "note": _text(link["note"], pattern),
        }
        for link in front.get("links", [])
    ]
    redacted["key_decisions"] = [
        by_key.get(entry.key, entry) for entry in front.get("key_decisions", [])
    ]
    referrals = {
        entry.item.pk: entry.item
        for entry in by_key.values()
        if entry.kind == "referral"
    }
    redacted["agencies"] = [
        referrals.get(referral.pk, referral) for referral in front.get("agencies", [])
    ]
    redacted["open_tasks"] = [
        dataclasses.replace(
            task, action_description=_text(task.action_description, pattern)
        )
        for task in front.get("open_tasks", [])
    ]
    redacted["flags"] = [
        _record(flag, pattern, [], "flag") for flag in front.get("flags", [])
    ]
    return redacted
