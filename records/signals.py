"""Signals other apps listen to without records depending on them.

`concern_submitted` is sent inside the submission's transaction, once, when a concern
is first saved: the workflow engine starts the concern's process from it, so a concern
is never saved without its process (and a failure to start one saves nothing).
"""

from django.dispatch import Signal

concern_submitted = Signal()

# Sent when a pupil is added to a school's roll (an MIS import, or by hand), inside
# the same transaction: the workflow asks the DSL whether a file should follow them.
pupil_joined = Signal()

# Sent inside a file's destruction (records.retention), before its records go: apps
# holding rows about the file (workflow tasks and processes) delete theirs.
file_destroying = Signal()

# Sent when someone opens a record through break-glass (records.restrictions), inside
# the same transaction: the workflow app tells the school's DSLs.
break_glass_opened = Signal()
