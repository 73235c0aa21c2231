"""Reading England's Common Transfer File (CTF), the DfE's XML format that every
school MIS exports (SIMS, Arbor, Bromcom, Scholarpack), into the same table of
cells a CSV gives, so that every row is checked by the same rules (records.roll.
reading).

What is read, by the element names and nesting of the published structure as the
DfE's own CTF writers and an MIS's CTF reader use them (the sources are listed in
docs/admin-guide.md, "Where the CTF structure comes from"):

- ``CTfile/Header``: ``SourceSchool`` (``LEA``, ``Estab``, ``URN``, ``SchoolName``)
  names the school in the preview; ``DestSchool`` (``LEA``, ``Estab``, ``URN``)
  must be this school (its DfE number, LA + establishment, or its URN), else the
  file is refused;
- ``CTfile/CTFpupilData/Pupil``: ``UPN``, ``Surname``, ``Forename``, ``DOB``,
  ``Sex`` (files of CTF 19 and before name it ``Gender``), and in
  ``BasicDetails`` ``PreferredForename`` and ``NCyearActual``;
- the flags the file carries, each a child of ``Pupil``:
  ``SENhistory/SEN`` (``StartDate``, ``SENprovision``: the latest entry started by
  today is the pupil's provision now, E an EHC plan, K SEN support),
  ``LookedAfter/InCare`` (``true``) and ``FSMhistory/FSMinstance``
  (``FSMstartDate``, ``FSMendDate``: free school meals now). Each becomes one of
  the school's profile flags (FLAG_KEYS) when the school uses it; a flag the
  school doesn't use is named in the preview's "not used" note, never an error.

Everything else a CTF carries (addresses, contacts, attendance, assessments,
school history) is not read. Chronicle's first fixtures were written before the
structure was checked; what they had that no source shows is still accepted,
because it can't be mistaken for anything else: ``DestSchool/SchoolName`` (named
in the refusal), ``PreferredForename`` or ``InCare`` directly under ``Pupil``, and
an ``EndDate`` on an SEN entry.

The XML is parsed with defusedxml: a DTD, entity or external reference is refused,
so a file cannot expand itself or read the server's files.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import School

# CTF flag -> the key of the profile flag (taxonomy term) it becomes.
FLAG_KEYS = {
    "ehcp": "ehcp",
    "sen_support": "send",
    "looked_after": "looked-after",
    "fsm": "fsm",
}
FLAG_NAMES = {
    "ehcp": "SEN: EHC plan",
    "sen_support": "SEN support",
    "looked_after": "Looked after (InCare)",
    "fsm": "Free school meals (FSM)",
}
# SENprovision codes: E (EHC plan), K (SEN support); S, A and P are the statement,
# School Action and School Action Plus of files older than 2015. Any other code (N,
# no special educational need) is no flag: an entry with it ends the one before.
SEN_PROVISION = {"E": "ehcp", "S": "ehcp", "K": "sen_support", "A": "sen_support"}
SEN_PROVISION["P"] = "sen_support"
HEADINGS = [
    "UPN",
    "Legal forename",
    "Legal surname",
    "Preferred forename",
    "Date of birth",
    "Year group",
    "Sex",
    "Profile flags",
]
TRUE = {"true", "1", "yes", "y"}


@dataclass
class CtfTable:
    """The pupils of a CTF as rows of cells under HEADINGS (the headings are row 0,
    pupil n is row n), and what the preview says about the file."""

    records: list
    source: str
    unused_flags: list = field(default_factory=list)


def looks_like_xml(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def ctf_read(*, data: bytes, name: str, school: School, flag_keys: set) -> CtfTable:
    """The CTF's pupils as a table; ValidationError (a sentence a DSL can act on)
    when the file is not a well-formed CTF or is addressed to another school.
    `flag_keys` are the keys of the school's profile flags in use."""
    root = _parse(data, name)
    header = _child(root, "Header")
    if _local(root.tag) == "ATfile":
        raise ValidationError(
            _(
                "“%(name)s” is an admissions transfer file (ATF), which lists "
                "applicants, not the pupils on roll. Export a CTF from the MIS and "
                "upload that."
            )
            % {"name": name}
        )
    if _local(root.tag) != "CTfile" or header is None:
        raise ValidationError(
            _(
                "“%(name)s” is XML but not a Common Transfer File (it has no CTfile "
                "header). Export a CTF from the MIS and upload that."
            )
            % {"name": name}
        )
    _check_destination(_child(header, "DestSchool"), school, name)
    pupils = _children(_child(root, "CTFpupilData"), "Pupil")
    if not pupils:
        raise ValidationError(_("“%(name)s” has no pupils.") % {"name": name})
    today = timezone.localdate()
    unused: set[str] = set()
    records = [(0, list(HEADINGS))]
    for number, pupil in enumerate(pupils, start=1):
        flags = _flags(pupil, today)
        unused |= {f for f in flags if FLAG_KEYS[f] not in flag_keys}
        keys = [FLAG_KEYS[f] for f in flags if FLAG_KEYS[f] in flag_keys]
        records.append((number, [*_cells(pupil), "; ".join(keys)]))
    return CtfTable(
        records,
        source=_school_name(_child(header, "SourceSchool")),
        unused_flags=[FLAG_NAMES[f] for f in FLAG_NAMES if f in unused],
    )


def _parse(data: bytes, name: str) -> Element:
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        message = _(
            "“%(name)s” declares a DTD or entities, which a CTF never does: nothing "
            "was read. Export the CTF from the MIS again and upload it unchanged."
        )
        reason = ""
    except ParseError as error:
        message = _(
            "“%(name)s” is not well-formed XML (%(reason)s): nothing was read. "
            "Export the CTF from the MIS again and upload it unchanged."
        )
        reason = str(error)
    raise ValidationError(message % {"name": name, "reason": reason})


def _local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _child(element: Element | None, tag: str) -> Element | None:
    return next(iter(_children(element, tag)), None)


def _children(element: Element | None, tag: str) -> list[Element]:
    if element is None:
        return []
    return [child for child in element if _local(child.tag) == tag]


def _text(element: Element | None, *path: str) -> str:
    for tag in path:
        element = _child(element, tag)
    if element is None or element.text is None:
        return ""
    return element.text.strip()


def _check_destination(dest: Element | None, school: School, name: str) -> None:
    laestab = _text(dest, "LEA") + _text(dest, "Estab")
    urn = _text(dest, "URN")
    if (urn and urn == school.urn) or (laestab and laestab == school.dfe_number):
        return
    ours = school.dfe_number or _("no DfE number recorded")
    message = _(
        "“%(name)s” is a CTF for another school (%(dest)s), not for %(school)s "
        "(%(ours)s): nothing was read. Check that you exported the file for this "
        "school."
    )
    if not school.dfe_number and not urn:
        message += " " + _(
            "Chronicle has no DfE number for this school: ask your administrator to "
            "record it (manage.py school_set)."
        )
    raise ValidationError(
        message
        % {
            "name": name,
            "dest": _destination(dest, laestab, urn),
            "school": school.name,
            "ours": ours,
        }
    )


def _destination(dest: Element | None, laestab: str, urn: str) -> str:
    # A CTF's DestSchool has no SchoolName; the fixtures written before the check had
    # one, and naming it does no harm.
    parts = [_text(dest, "SchoolName")]
    if laestab:
        parts.append(_("DfE number %(number)s") % {"number": laestab})
    if urn:
        parts.append(_("URN %(urn)s") % {"urn": urn})
    return ", ".join(filter(None, parts)) or _("no destination named")


def _school_name(source: Element | None) -> str:
    name = _text(source, "SchoolName")
    laestab = _text(source, "LEA") + _text(source, "Estab")
    return f"{name} ({laestab})" if name and laestab else name or laestab


def _cells(pupil: Element) -> list[str]:
    """The pupil's cells under HEADINGS but the last (its flags). The second of each
    pair is the older, unchecked shape of Chronicle's first fixtures."""
    details = _child(pupil, "BasicDetails")
    return [
        _text(pupil, "UPN"),
        _text(pupil, "Forename"),
        _text(pupil, "Surname"),
        _text(details, "PreferredForename") or _text(pupil, "PreferredForename"),
        _text(pupil, "DOB"),
        _text(details, "NCyearActual") or _text(pupil, "NCyearActual"),
        _text(pupil, "Sex") or _text(pupil, "Gender"),
    ]


def _flags(pupil: Element, today: date) -> list[str]:
    flags = []
    sen = _current_sen(pupil, today)
    if sen:
        flags.append(sen)
    in_care = _text(pupil, "LookedAfter", "InCare") or _text(pupil, "InCare")
    if in_care.lower() in TRUE:
        flags.append("looked_after")
    if _on_fsm(pupil, today):
        flags.append("fsm")
    return flags


def _current_sen(pupil: Element, today: date) -> str:
    """The provision of the latest SEN entry started by today, as a flag. A CTF's SEN
    entries have no end: a later entry (N, no SEN) ends an earlier one. An EndDate
    (the older shape) that has passed ends that entry too."""
    current = [
        (_date(_text(sen, "StartDate")) or date.min, _text(sen, "SENprovision"))
        for sen in _children(_child(pupil, "SENhistory"), "SEN")
        if _open(sen, "StartDate", "EndDate", today)
    ]
    if not current:
        return ""
    _start, provision = max(current)
    return SEN_PROVISION.get(provision.upper(), "")


def _on_fsm(pupil: Element, today: date) -> bool:
    return any(
        _open(instance, "FSMstartDate", "FSMendDate", today)
        for instance in _children(_child(pupil, "FSMhistory"), "FSMinstance")
    )


def _open(element: Element, start_tag: str, end_tag: str, today: date) -> bool:
    start, end = _date(_text(element, start_tag)), _date(_text(element, end_tag))
    return (start is None or start <= today) and (end is None or end >= today)


def _date(text: str) -> date | None:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
