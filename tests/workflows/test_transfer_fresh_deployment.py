"""A bundle from this deployment imported into a fresh one: a new SQLite database,
migrated from nothing, where the receiving school has never heard of this one."""

import json
import os
import subprocess
import sys
from pathlib import Path

from records.chronology import chronology

from ..builders import transfer_out, transfer_send
from .test_transfers import file_with_history  # noqa: F401

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
from records.models import PreviousSchoolEntry, Transfer, TransferDocument
transfer = Transfer.objects.get(direction="in")
print(json.dumps({
    "entries": [
        [e.occurred_at.isoformat(), e.kind, e.title, e.text, e.school_name]
        for e in PreviousSchoolEntry.objects.order_by("occurred_at", "pk")
    ],
    "manifest": transfer.manifest_hash,
    "status": transfer.status,
    "documents": sorted(
        d.original_name for d in TransferDocument.objects.filter(transfer=transfer)
    ),
}))
"""


def test_a_bundle_imports_into_a_fresh_deployment(file_with_history, dsl, tmp_path):  # noqa: F811
    sent = chronology(file_with_history, user=dsl, newest_first=False)
    transfer = transfer_out(file_with_history, dsl)
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
            timeout=300,
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
    assert len(there["entries"]) == len(sent)
    for entry, (at, kind, _title, _text, school) in zip(
        sent, there["entries"], strict=True
    ):
        assert at == entry.at.isoformat()
        assert kind == entry.kind
        assert school == file_with_history.school.name
    assert any("Agreed a safety plan" in e[3] for e in there["entries"])
    assert "minutes.txt" in there["documents"]
