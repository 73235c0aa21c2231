"""The transfer bundle: a child's file in an open, versioned format.

See docs/transfer-format.md for the format itself. It depends on records only (the
chronology's entries, the front sheet, the PDF): the transfer services build and read
it.

An AES-256 encrypted zip (readable by 7-Zip and most archive tools with the
passphrase) holding:

- `transfer.json`: format, version, sender, pupil, flags, key people, the
  chronology (each entry as the sending school recorded it), decisions with their
  rationale, referrals with the agencies' outcomes and reasons, and the attachments
  listed with their SHA-256;
- `file.pdf`: the same file as a PDF, for a school without Chronicle;
- `attachments/…`: the documents themselves;
- `manifest.json`: every other file of the archive with its SHA-256 and size.

The SHA-256 of `manifest.json` (the manifest hash) identifies the bundle: the
receiving school's receipt is stored with it. Reading a bundle checks every hash and
refuses a bundle with a file changed, added or missing.
"""

import hashlib
import io
import json
import secrets
import struct
import zlib
from dataclasses import dataclass
from html import unescape

import pyzipper
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from records.export import file_pdf

FORMAT = "chronicle-transfer"
VERSION = 1
MANIFEST = "manifest.json"
DATA = "transfer.json"
PDF = "file.pdf"
# A bundle larger than this is refused before it is read (a zip bomb, a wrong file).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

# Words for passphrases: short, unambiguous when read out over the phone.
WORDS = (
    "amber anchor apple arrow aspen badge baker basil beacon birch bison blue "
    "bramble brook cabin cedar chalk cherry cinder clover cobalt comet copper coral "
    "cotton crane crystal dawn delta denim dune eagle ember fable falcon fern fiddle "
    "flint forest fox frost garnet ginger glade granite harbour hazel heron holly "
    "honey indigo iris ivory jasper juniper kestrel kettle lantern larch lemon lilac "
    "linen lotus maple marble meadow mint moss nectar nettle noble oak ocean olive "
    "onyx orchid otter pebble pepper pine plum poppy quartz quill raven reed river "
    "robin rowan saffron sage salmon sparrow spruce stone summit swift thistle tiger "
    "timber topaz tulip velvet violet walnut willow wren yarrow zephyr"
).split()


class BundleError(ValidationError):
    """A bundle that cannot be read or does not check out, with a message a DSL
    can act on."""


def new_passphrase(words=6):
    """Six words from a list of 128: about 42 bits, sent separately from the link
    (a phone call), and only ever shown once."""
    return "-".join(secrets.choice(WORDS) for _ in range(words))


def sha256(data):
    return hashlib.sha256(data).hexdigest()


@dataclass
class Bundle:
    data: dict
    manifest_hash: str
    files: dict  # path -> bytes (the PDF and the attachments)

    @property
    def entries(self):
        return self.data.get("chronology", [])

    @property
    def attachments(self):
        return self.data.get("attachments", [])


# Writing ------------------------------------------------------------------------------


def build(*, transfer, user, entries, front, pdf_reason, passphrase):
    """The encrypted archive (bytes) and its manifest hash."""
    attachments = _attachments(entries)
    data = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().isoformat(),
        "transfer_reference": transfer.reference,
        "sender": _sender(transfer, user),
        "receiver": {
            "school": transfer.other_school_name,
            "contact": transfer.other_contact,
        },
        "pupil": _pupil(transfer.pupil),
        "starts_on": _iso(transfer.starts_on),
        "whole_file": not transfer.kinds,
        "kinds": list(transfer.kinds),
        "flags": _flags(front),
        "key_people": _people(front),
        "chronology": [_entry(entry) for entry in reversed(entries)],
        "decisions": [_decision(e.item) for e in entries if e.kind == "decision"],
        "referrals": [_referral(e.item) for e in entries if e.kind == "referral"],
        "attachments": [meta for meta, _content in attachments],
    }
    files = {
        DATA: json.dumps(data, indent=2, ensure_ascii=False).encode(),
        PDF: file_pdf(
            pupil=transfer.pupil,
            front=front,
            entries=entries,
            user=user,
            reason=pdf_reason,
            filtered=bool(transfer.kinds),
        ),
    }
    for meta, content in attachments:
        files[meta["path"]] = content
    manifest = json.dumps(
        {
            "format": FORMAT,
            "version": VERSION,
            "files": [
                {"path": path, "sha256": sha256(content), "size": len(content)}
                for path, content in sorted(files.items())
            ],
        },
        indent=2,
    ).encode()
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(
        buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(passphrase.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        for path, content in sorted(files.items()):
            archive.writestr(path, content)
        archive.writestr(MANIFEST, manifest)
    return buffer.getvalue(), sha256(manifest)


def _iso(value):
    return value.isoformat() if value else None


def _name(user):
    return (user.get_full_name() or user.username) if user else ""


def _sender(transfer, user):
    return {
        "school": transfer.school.name,
        "urn": getattr(transfer.school, "urn", "") or "",
        "dsl": _name(user),
        "email": user.email,
    }


def _pupil(pupil):
    return {
        "upn": pupil.upn,
        "first_name": pupil.first_name,
        "last_name": pupil.last_name,
        "preferred_name": pupil.preferred_name,
        "date_of_birth": pupil.date_of_birth.isoformat(),
        "year_group": pupil.year_group,
        "sex": pupil.sex,
        "date_joined": _iso(pupil.date_joined),
        "date_left": _iso(pupil.date_left),
    }


def _flags(front):
    return [
        {
            "flag": flag.flag_name,
            "from": _iso(flag.starts_on),
            "until": _iso(flag.ends_on),
            "note": flag.note,
        }
        for flag in front.get("flags", [])
    ]


def _people(front):
    return [
        {
            "role": person.get_role_display(),
            "name": person.name,
            "organisation": person.organisation,
            "phone": person.phone,
            "email": person.email,
            "from": _iso(person.from_date),
        }
        for person in front.get("key_people", [])
    ]


def _text(entry):
    """The entry as the file page shows it, as plain text."""
    html = render_to_string(
        "records/file/_entry.html", {"kind": entry.kind, "item": entry.item, "pdf": 1}
    )
    text = unescape(strip_tags(html))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _title(entry):
    item = entry.item
    if entry.kind == "concern":
        return f"{item.reference}: {item.primary_category_name}"
    if entry.kind == "note":
        return item.title
    if entry.kind == "previous":
        return item.title
    concern = entry.concern.reference if entry.concern is not None else ""
    return f"{entry.kind_label} {concern}".strip()


def _entry(entry):
    item = entry.item
    return {
        "id": entry.key,
        "kind": entry.kind,
        "kind_label": str(entry.kind_label),
        "at": entry.at.isoformat(),
        "title": _title(entry),
        "text": item.text if entry.kind == "previous" else _text(entry),
        "by": _by(entry),
        "concern": entry.concern.reference if entry.concern is not None else None,
        "role": str(entry.role or ""),
        "category": entry.category,
        "child_voice": entry.child_voice,
        "significant": entry.significant,
        "addenda": [
            {
                "at": addendum.recorded_at.isoformat(),
                "by": _name(addendum.recorded_by),
                "reason": addendum.reason,
                "text": addendum.text,
            }
            for addendum in entry.addenda
        ],
    }


BY_FIELD = {
    "triage": "triaged_by",
    "decision": "decided_by",
    "action": "created_by",
    "closure": "closed_by",
    "note": "recorded_by",
    "flag": "recorded_by",
    "audit": "auditor",
}


def _by(entry):
    if entry.kind == "concern":
        item = entry.item
        return _name(item.reported_by) if item.reported_by_id else item.reported_by_name
    if entry.kind == "previous":
        return entry.item.by
    field = BY_FIELD.get(entry.kind)
    return _name(getattr(entry.item, field)) if field else ""


def _decision(decision):
    return {
        "concern": decision.concern.reference,
        "at": decision.decided_at.isoformat(),
        "outcome": decision.outcome,
        "outcome_label": decision.get_outcome_display(),
        "rationale": decision.rationale,
        "consulted": decision.consulted,
        "review_on": _iso(decision.review_on),
        "by": _name(decision.decided_by),
    }


def _referral(referral):
    return {
        "concern": referral.concern.reference,
        "agency": referral.agency_name,
        "made_on": _iso(referral.contacted_on),
        "method": referral.get_method_display() if referral.method else "",
        "reference": referral.reference,
        "response_due": _iso(referral.response_due),
        "responded_on": _iso(referral.responded_on),
        "agency_outcome": referral.get_agency_outcome_display()
        if referral.agency_outcome
        else "",
        "agency_response": referral.response,
        "agency_rationale": referral.agency_rationale,
        "disagreement": referral.disagreement,
    }


def _attachments(entries):
    """The documents of the entries that go: a concern's attachments, a note's."""
    found = []
    for entry in entries:
        if entry.kind == "concern":
            documents = entry.item.attachments.all()
        elif entry.kind == "note":
            documents = entry.item.attachments.all()
        else:
            continue
        for document in documents:
            with document.file.open("rb") as handle:
                content = handle.read()
            digest = sha256(content)
            found.append(
                (
                    {
                        "entry": entry.key,
                        "name": document.original_name,
                        "content_type": document.content_type,
                        "size": len(content),
                        "sha256": digest,
                        "path": f"attachments/{digest[:16]}-{len(found) + 1}",
                    },
                    content,
                )
            )
    return found


# Reading ------------------------------------------------------------------------------

# What a damaged archive can raise from inside the zip reader, AES or inflate: a
# flipped byte in a header, a compressed stream or a length, or a truncated file.
# Each means the same to the receiving DSL: ask for the file again.
DAMAGE = (
    pyzipper.BadZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    LookupError,
    NotImplementedError,
    OverflowError,
    RuntimeError,
)

DAMAGED = _lazy(
    "This file is damaged or incomplete: ask the sending school to send it again."
)
NOT_A_BUNDLE = _lazy(
    "This file is not a Chronicle transfer bundle, or it is damaged: check you chose "
    "the file the sending school sent, or ask them to send it again."
)
WRONG_PASSPHRASE = _lazy(
    "The passphrase is not right for this file. Check it with the sending school "
    "(it was given separately from the link)."
)
CHANGED = _lazy(
    "This file is damaged or has been changed since it was sent: its contents do "
    "not match its manifest. Ask the sending school to send it again."
)


def read(content, passphrase):
    """Open and check a bundle; a BundleError says what is wrong, and nothing else
    escapes: whatever a damaged or truncated file makes the zip reader raise is
    reported as damage, never as a crash or as a wrong passphrase."""
    try:
        return _read(content, (passphrase or "").strip().encode())
    except BundleError:
        raise
    except DAMAGE as error:
        raise BundleError(DAMAGED) from error


def _read(content, passphrase):
    try:
        archive = pyzipper.AESZipFile(io.BytesIO(content))
    except DAMAGE as error:
        # A zip starts with a local file header; anything else was never one.
        looks_like_zip = content[:4] == b"PK\x03\x04"
        raise BundleError(DAMAGED if looks_like_zip else NOT_A_BUNDLE) from error
    with archive:
        archive.setpassword(passphrase)
        infos = {info.filename: info for info in archive.infolist()}
        if MANIFEST not in infos or DATA not in infos:
            raise BundleError(NOT_A_BUNDLE)
        if sum(info.file_size for info in infos.values()) > MAX_UNPACKED_BYTES:
            raise BundleError(
                _(
                    "This file says it unpacks to more than a bundle can hold: it is "
                    "damaged, or not a bundle. Ask the sending school to send it "
                    "again."
                )
            )
        manifest_bytes = _read_member(archive, MANIFEST)
        manifest = _json(manifest_bytes)
        _check_version(manifest)
        listed = _listed(manifest)
        if set(listed) != set(infos) - {MANIFEST}:
            raise BundleError(CHANGED)
        files = {}
        for path, digest in listed.items():
            member = _read_member(archive, path)
            if sha256(member) != digest:
                raise BundleError(CHANGED)
            files[path] = member
    data = _json(files.pop(DATA))
    _check_version(data)
    if not isinstance(data, dict) or not isinstance(data.get("pupil"), dict):
        raise BundleError(CHANGED)
    for attachment in data.get("attachments", []):
        if files.get(attachment.get("path")) is None or sha256(
            files[attachment["path"]]
        ) != attachment.get("sha256"):
            raise BundleError(
                _(
                    "An attachment (“%(name)s”) is missing or does not match its "
                    "hash. Ask the sending school to send the file again."
                )
                % {"name": attachment.get("name", "?")}
            )
    return Bundle(data=data, manifest_hash=sha256(manifest_bytes), files=files)


def _check_version(document):
    """The format and version, from the manifest (before anything else is read)
    and again from transfer.json. A newer version is named as such: the receiving
    school needs to update, not to ask for the file again."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BundleError(NOT_A_BUNDLE)
    version = document.get("version")
    if version == VERSION:
        return
    if isinstance(version, int) and version > VERSION:
        raise BundleError(
            _(
                "This file was made by a newer version of Chronicle (format "
                "%(version)s); this installation reads format %(ours)s. Ask your "
                "system administrator to update Chronicle, then import it again."
            )
            % {"version": version, "ours": VERSION}
        )
    raise BundleError(
        _(
            "This file's format (version %(version)s) is not one Chronicle reads: "
            "ask the sending school to send it again."
        )
        % {"version": str(version)[:20]}
    )


def _read_member(archive, path):
    try:
        return archive.read(path)
    except RuntimeError as error:
        # pyzipper says "bad password" whenever a member's key check fails, which
        # a flipped byte in that member's salt also causes. One passphrase locks
        # every member: if another member opens with it, the file is damaged.
        if _opens_another(archive, path):
            raise BundleError(DAMAGED) from error
        raise BundleError(WRONG_PASSPHRASE) from error


def _opens_another(archive, path):
    for info in archive.infolist():
        if info.filename == path:
            continue
        try:
            with archive.open(info):
                return True
        except DAMAGE:
            continue
    return False


def _json(content):
    try:
        return json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise BundleError(CHANGED) from error


def _listed(manifest):
    try:
        return {item["path"]: item["sha256"] for item in manifest["files"]}
    except (KeyError, TypeError) as error:
        raise BundleError(CHANGED) from error
