"""Writing a bundle: the child's file (the entries that go, the front sheet, the
documents, the PDF) as an encrypted zip with its manifest."""

import io
import json
import os
import re
from html import unescape

import pyzipper
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import strip_tags

from records.export import file_pdf
from records.models import ImportedRecord, KeyPerson
from records.uploads import ACCEPTED

from .common import (
    DATA,
    DOCUMENTS,
    FORMAT,
    MANIFEST,
    PDF,
    README,
    VERSION,
    sha256,
)
from .structured import origin, record


def build(
    *, transfer, user, entries, front, pdf_reason, passphrase, receipt_challenge=""
):
    """The encrypted archive (bytes) and its manifest hash. `receipt_challenge`
    (hex) goes inside, for the receiving Chronicle's signed receipt to answer."""
    attachments = _attachments(entries)
    titles = {entry.key: _title(entry) for entry in entries}
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
        "key_people": _people(transfer.pupil, front),
        "chronology": [_entry(entry) for entry in reversed(entries)],
        "decisions": [_decision(e.item) for e in entries if e.kind == "decision"],
        "referrals": [_referral(e.item) for e in entries if e.kind == "referral"],
        "attachments": [meta for meta, _content in attachments],
        "receipt": {"reference": transfer.reference, "challenge": receipt_challenge},
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
            documents=[
                {
                    "name": meta["name"],
                    "path": meta["path"],
                    "entry": titles.get(meta["entry"], ""),
                    "size": meta["size"],
                }
                for meta, _content in attachments
            ],
        ),
        README: _readme(transfer, attachments),
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


def _people(pupil, front):
    came_in = {
        imported.target_id: imported
        for imported in ImportedRecord.objects.filter(
            pupil=pupil, target_type__model=KeyPerson._meta.model_name
        ).select_related("transfer")
    }
    return [
        {
            "role": person.get_role_display(),
            "name": person.name,
            "organisation": person.organisation,
            "phone": person.phone,
            "email": person.email,
            "from": _iso(person.from_date),
            "origin": origin(came_in.get(person.pk)),
        }
        for person in front.get("key_people", [])
    ]


def _text(entry):
    """The entry as the file page shows it, as plain text."""
    html = render_to_string(
        "records/file/_entry.html",
        {"kind": entry.kind, "item": entry.item, "imported": entry.imported, "pdf": 1},
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
        "record": record(entry),
        "origin": origin(entry.imported),
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
    if entry.imported is not None:
        return entry.imported.by
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
                        "path": _path(len(found) + 1, document),
                    },
                    content,
                )
            )
    return found


def _path(number, document):
    """`documents/03-minutes.txt`: numbered (two documents may share a name), with
    the name people gave it, made safe for every file system, and its extension."""
    stem, extension = os.path.splitext(os.path.basename(document.original_name))
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "", stem).strip(" .-_")
    stem = re.sub(r"\s+", "-", stem)[:60] or "document"
    extension = re.sub(r"[^A-Za-z0-9]", "", extension)[:8].lower()
    if not extension:
        extension = ACCEPTED.get(document.content_type, "bin")
    return f"{DOCUMENTS}{number:02d}-{stem}.{extension}"


def _readme(transfer, attachments):
    """What the archive holds, in plain words, for a school opening it by hand."""
    lines = [
        "CONFIDENTIAL: a child protection file",
        "",
        f"Sent by {transfer.school.name} (their reference {transfer.reference}) "
        f"to {transfer.other_school_name or 'the receiving school'}.",
        "",
        f"{PDF}        the file to read: the front sheet, the chronology, and a",
        "                list of every document below",
        f"{DOCUMENTS}      the documents of the entries, named as they were uploaded",
        f"{DATA}   the same file as data, for a school using Chronicle or",
        "                another system (the format is described in Chronicle's",
        "                docs/transfer-format.md)",
        f"{MANIFEST}   every file with its SHA-256, to check nothing changed",
        "",
        "Documents:",
    ]
    lines += [f"  {meta['path']}  ({meta['name']})" for meta, _c in attachments] or [
        "  (none)"
    ]
    lines += [
        "",
        "Confirm receipt to the sending school: through the link you downloaded",
        "this from, or, in Chronicle, by importing it and sending back the signed",
        "receipt it gives you.",
        "",
    ]
    return "\n".join(lines).encode()
