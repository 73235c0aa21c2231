"""Stored files that no record points at, and removing them.

A file is written to private storage before the row that points at it is committed
(a concern's attachment, a file note's document, a transfer's bundle). When the
write fails after that (the step refused, the database gone), the transaction rolls
back and the file stays, with a child's details in it and nothing to find it by:
destruction at the end of retention would never reach it. Files left by a deletion
whose storage call failed after the commit are the same. `remove_orphan_files`
(run daily from cron) finds and removes them.

Only files older than a grace period count: a file written a moment ago may belong
to a transaction that has not committed yet.
"""

import logging
import posixpath
from datetime import timedelta

from django.utils import timezone

from .models import ConcernAttachment, NoteAttachment, TransferDocument
from .storage import private_storage

logger = logging.getLogger(__name__)

STORED = (ConcernAttachment, NoteAttachment, TransferDocument)
GRACE = timedelta(hours=24)
BATCH = 500


def _walk(directory=""):
    if not directory and not private_storage.exists(""):
        return  # nothing stored yet
    folders, files = private_storage.listdir(directory)
    for name in sorted(files):
        yield posixpath.join(directory, name) if directory else name
    for folder in sorted(folders):
        yield from _walk(posixpath.join(directory, folder) if directory else folder)


def _batches(names):
    batch = []
    for name in names:
        batch.append(name)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _referenced(names):
    found = set()
    for model in STORED:
        found.update(
            model.objects.filter(file__in=names).values_list("file", flat=True)
        )
    return found


def orphan_files(*, grace=GRACE, now=None):
    """The names of stored files no record points at, written before now - grace.
    Looks the names up in batches: memory stays flat however many files there are."""
    cutoff = (now or timezone.now()) - grace
    for batch in _batches(_walk()):
        referenced = _referenced(batch)
        for name in batch:
            if name in referenced:
                continue
            if private_storage.get_modified_time(name) > cutoff:
                continue  # may be a transaction still running
            yield name


def orphan_files_remove(*, grace=GRACE, dry_run=False):
    """Remove (or with dry_run, only list) the orphaned files; returns their names."""
    removed = []
    for name in orphan_files(grace=grace):
        if not dry_run:
            private_storage.delete(name)
            logger.info("Removed a stored file no record points at: %s", name)
        removed.append(name)
    return removed
