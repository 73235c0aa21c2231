"""Signals a higher room listens to without records depending on it: each says
something happened to the file; none carries the business logic itself. Opening a
concern is not one of them: workflows.services.concern_open stores the concern and
starts its process in one call.
"""

from django.dispatch import Signal

# Sent when a pupil is added to a school's roll (an MIS import, or by hand), inside
# the same transaction: the workflow asks the DSL whether a file should follow them.
pupil_joined = Signal()

# Sent inside a file's destruction (records.retention), before its records go: apps
# holding rows about the file (workflow tasks and processes) delete theirs.
file_destroying = Signal()

# Sent when someone opens a record through break-glass (records.restrictions), inside
# the same transaction: the workflow app tells the school's DSLs.
break_glass_opened = Signal()
