"""`manage.py remove_orphan_files`: a stored file no record points at (left when a
save failed after writing it) is removed once it is a day old; files that records
point at, and files written in the last day (a save may still be running), stay."""

import os
import time
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from records.models import NoteAttachment
from records.services import file_note_add

from ..conftest import stored_files

DAY = 24 * 3600


@pytest.fixture
def kept_document(dsl, pupil, private_storage):
    """A meeting note's document, written two days ago: a record points at it."""
    note = file_note_add(
        pupil=pupil,
        user=dsl,
        kind="meeting",
        title="Strategy meeting",
        occurred_at=timezone.now(),
        body="Agreed a safety plan.",
        attachments=[SimpleUploadedFile("minutes.txt", b"Minutes\n")],
    )
    path = private_storage / NoteAttachment.objects.get(note=note).file.name
    aged(path, days=2)
    return path


def aged(path, *, days):
    when = time.time() - days * DAY
    os.utime(path, (when, when))


def left_behind(root, name, *, days):
    """A file as a failed save leaves it: in storage, with no row."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x03\x04 an encrypted bundle")
    aged(path, days=days)
    return path


def run(*args):
    out = StringIO()
    call_command("remove_orphan_files", *args, stdout=out)
    return out.getvalue()


def test_an_old_orphan_goes_and_everything_else_stays(private_storage, kept_document):
    old = left_behind(private_storage, "transfers/1/7/old.zip", days=2)
    fresh = left_behind(private_storage, "transfers/1/8/fresh.zip", days=0)

    output = run()

    assert "transfers/1/7/old.zip" in output
    assert "Removed 1 stored file(s) no record points at." in output
    assert stored_files(private_storage) == sorted([kept_document, fresh])
    assert not old.exists()


def test_a_dry_run_lists_them_and_removes_nothing(private_storage, kept_document):
    old = left_behind(private_storage, "concerns/3/9/photo.pdf", days=3)
    output = run("--dry-run")
    assert "concerns/3/9/photo.pdf" in output
    assert "Would remove 1 stored file(s)" in output
    assert old.exists()


def test_the_grace_period_can_be_shortened(private_storage, kept_document):
    left_behind(private_storage, "files/2/4/scan.pdf", days=0.5)
    assert "Removed 0" in run()
    assert "Removed 1" in run("--hours", "6")
    assert stored_files(private_storage) == [kept_document]


def test_nothing_stored_yet_is_not_an_error(private_storage, db):
    assert "Removed 0 stored file(s)" in run()
