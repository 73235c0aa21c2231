"""Pupil import from an MIS export (SIMS, Arbor, Bromcom…) as CSV, Excel (.xlsx) or
a Common Transfer File (CTF XML): the school's roll.

Three steps, so that nothing is written before the DSL has seen what will change:

- ``roll_file_read`` (reading) reads the upload and checks every row on its own. It
  returns a RollFile, plain data that the view keeps in the session between the
  preview and the import: the uploaded file itself is never stored.
- ``import_preview`` (selectors) compares those rows with the school's roll as it is
  now: new, updated (which fields), unchanged, error, and who would be marked as
  left. It writes nothing.
- ``import_apply`` (services) makes the same changes, all or nothing, and writes one
  audit entry for the import (each pupil and flag change is in the audit log
  already).

Pupils are matched on UPN within the school, so a re-import updates rather than
duplicates. forms and views are the admin pages (their URLs are
views.urlpatterns). This package re-exports reading, selectors and services.
"""

from .reading import (
    COLUMNS,
    DATE_FORMATS,
    MAX_BYTES,
    Column,
    FileRow,
    Format,
    RollFile,
    column_label,
    roll_file_read,
)
from .selectors import Change, Preview, PreviewRow, Status, import_preview
from .services import AUDIT_EVENT, ImportAlreadyDone, ImportResult, import_apply

__all__ = [
    "AUDIT_EVENT",
    "COLUMNS",
    "DATE_FORMATS",
    "MAX_BYTES",
    "Change",
    "Column",
    "FileRow",
    "Format",
    "ImportAlreadyDone",
    "ImportResult",
    "Preview",
    "PreviewRow",
    "RollFile",
    "Status",
    "column_label",
    "import_apply",
    "import_preview",
    "roll_file_read",
]
