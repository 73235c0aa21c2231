"""A rich file from this deployment imported into a fresh one: a new SQLite
database, migrated from nothing, where the receiving school has never heard of this
one. Every record arrives as its own kind and shows on the front sheet and in the
chronology there."""

import json
import os
import subprocess
import sys
from pathlib import Path

from records.chronology import chronology
from records.models import InstallationKey
from workflows import transfers

from ..builders import transfer_out, transfer_send
from .test_transfer_history import SAID, rich_file  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]

CREATE_SCHOOL = """
from accounts.models import Role, School, Trust, User
from accounts.services import membership_grant
trust = Trust.objects.create(name="Riverside Trust (synthetic)")
school = School.objects.create(trust=trust, name="Riverside Academy")
user = User.objects.create_user("dsl.riverside", password=None, first_name="Rae")
membership_grant(user=user, school=school, role=Role.DSL)
"""

READ_BACK = """
import json
from accounts.models import User
from records.chronology import Filters, chronology
from records.frontsheet import front_sheet
from records.models import (
    ConcernAttachment, NoteAttachment, PreviousSchoolEntry, Pupil, Transfer,
    TransferDocument,
)
from workflows.models import CaseProcess
transfer = Transfer.objects.get(direction="in")
pupil = Pupil.objects.get()
dsl = User.objects.get(username="dsl.riverside")
entries = chronology(pupil, user=dsl, newest_first=False)
front = front_sheet(pupil, entries=entries)
print(json.dumps({
    "entries": [
        [e.at.isoformat(), e.kind, e.imported.school_name if e.imported else "",
         str(e.role), e.child_voice, e.significant, len(e.addenda)]
        for e in entries
    ],
    "text_entries": PreviousSchoolEntry.objects.count(),
    "flags": [[f.flag_name, f.imported_from] for f in front["flags"]],
    "key_people": [[p.get_role_display(), p.name, p.imported_from]
                   for p in front["key_people"]],
    "agencies": [[r.agency_name, r.agency_outcome, r.agency_rationale, r.is_complete]
                 for r in front["agencies"]],
    "decisions": [e.item.rationale for e in front["key_decisions"]],
    "concerns": [front["concern_count"], front["imported_concern_count"]],
    "decisions_only": [e.kind for e in chronology(
        pupil, user=dsl, filters=Filters(kinds={"decision"}))],
    "concern_files": sorted(a.original_name for a in ConcernAttachment.objects.all()),
    "note_files": sorted(a.original_name for a in NoteAttachment.objects.all()),
    "processes": CaseProcess.objects.filter(concern__isnull=False).count(),
    "manifest": transfer.manifest_hash,
    "status": transfer.status,
    "receipt": transfer.receipt_code,
    "documents": sorted(
        d.original_name for d in TransferDocument.objects.filter(transfer=transfer)
    ),
}))
"""


def test_a_rich_file_imports_into_a_fresh_deployment_as_its_own_records(
    rich_file,  # noqa: F811
    dsl,
    tmp_path,
):
    sent = chronology(rich_file, user=dsl, newest_first=False)
    transfer = transfer_out(rich_file, dsl)
    transfer, passphrase, _token = transfer_send(transfer, dsl)
    bundle = tmp_path / "bundle.zip"
    with transfer.documents.get(purpose="bundle").file.open("rb") as handle:
        bundle.write_bytes(handle.read())
    secret = tmp_path / "passphrase.txt"
    secret.write_text(passphrase)

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chronicle.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    manage("migrate", "--noinput")
    manage("shell", "-c", CREATE_SCHOOL)
    out = manage(
        "import_transfer",
        str(bundle),
        "--passphrase-file",
        str(secret),
        "--dsl",
        "dsl.riverside",
        "--school",
        "Riverside Academy",
        "--add-pupil",
    )
    assert f"manifest {transfer.manifest_hash}" in out
    there = json.loads(manage("shell", "-c", READ_BACK).strip().splitlines()[-1])
    assert there["manifest"] == transfer.manifest_hash
    assert there["status"] == "imported"
    school = rich_file.school.name
    # Each entry as its own kind of record, at its own time, marked where from.
    assert there["text_entries"] == 0
    assert [(at, kind) for at, kind, *_rest in there["entries"]] == [
        (entry.at.isoformat(), entry.kind) for entry in sent
    ]
    assert {origin for _at, _kind, origin, *_rest in there["entries"]} == {school}
    roles = sorted(
        role for _a, kind, _o, role, *_r in there["entries"] if kind == "concern"
    )
    assert roles == ["Child the concern is about", "Witness"]
    voices = [voice for *_head, voice, _sig, _add in there["entries"] if voice]
    assert SAID in voices
    assert [kind for _a, kind, _o, _r, _v, sig, _n in there["entries"] if sig] == [
        "decision"
    ]
    assert [kind for _a, kind, *_mid, n in there["entries"] if n] == ["note"]
    # The front sheet reads them as this school's own.
    assert there["flags"] == [["Child in need (CIN)", school]]
    assert there["key_people"] == [["Social worker", "Sam Okafor", school]]
    agencies = {name: rest for name, *rest in there["agencies"]}
    assert agencies["Police"] == [
        "nfa",
        "No offence disclosed; school to monitor.",
        True,
    ]
    assert agencies["Children's social care / MASH"][2] is False  # still open
    assert len(there["decisions"]) == 2
    assert there["concerns"] == [2, 2]
    assert there["decisions_only"] == ["decision", "decision"]
    # Attachments with their entries; only the PDF of the whole file on the transfer.
    assert there["concern_files"] == ["note-from-ava.txt"]
    assert there["note_files"] == ["minutes.txt"]
    assert there["documents"] == sorted(["bundle.zip", f"{school} — file.pdf"])
    # History, not new work: no casework process started for them.
    assert there["processes"] == 0
    # The fresh deployment signed a receipt; this one checks it with nothing
    # shared but the code, and records the manifest hash the receiver gave.
    assert there["receipt"].startswith("CHRONICLE-RECEIPT-1.")
    assert not transfer.has_receipt
    transfers.signed_receipt_record(transfer=transfer, user=dsl, code=there["receipt"])
    transfer.refresh_from_db()
    assert transfer.receipt_via == "signed"
    assert transfer.receipt_manifest_hash == transfer.manifest_hash
    assert transfer.received_by_name == "Rae"
    assert transfer.received_school_name == "Riverside Academy"
    # Checked with the key in the receipt: this installation has none of its own.
    assert transfer.receipt_key and not InstallationKey.objects.exists()
