"""Writes for the workflows: keyword-only, validated, atomic. One module per topic:

- conflicts: TaskConflict, EditConflict and last_change (who saved last);
- notifications: notify people (admin notice, link-only email);
- processes: start and reopen a concern's process;
- claims: claim, release, hand over a task;
- writing: step_complete / step_write, how every step's service writes;
- referrals: open a referral, record contact and response, its due date;
- steps: triage, decision, closure, sign-off, pattern review;
- actions: an internal action for a named person;
- settings: a school's casework settings and pattern thresholds;
- clock: the sweep of reminders, escalations, chases and reviews; due dates
  counted again when a calendar changes;
- intake: concern_open, the one way a reported concern enters.

The submodules are imported lowest first, not alphabetically: flows, patterns and
transfers import names from this package (TaskConflict, notify…) and may be
imported by the higher submodules while this package is still being imported, so
the names they need are bound before those submodules run. Below workflows.flows
(nodes, notifications), import from workflows.models and workflows.teams, never
from a module that imports the flows.
"""

# isort: off
from .conflicts import EditConflict, TaskConflict, last_change
from .notifications import notify, notify_new_concern
from .processes import (
    OPEN_PROCESS,
    concern_has_open_process,
    concern_process_start,
    concern_reopen,
)
from .claims import claim_next, holder_name, task_claim, task_reassign, task_release
from .writing import step_complete, step_write
from .referrals import (
    AGENCY_RESPONSE_WORKING_DAYS,
    DEFAULT_RESPONSE_WORKING_DAYS,
    REFERRAL_CONTACT,
    REFERRAL_RESPONSE,
    referral_open,
    referral_response_due,
    referral_save,
)
from .steps import (
    closure_complete,
    decision_complete,
    pattern_review_complete,
    sign_off_complete,
    triage_complete,
)
from .actions import action_complete, action_create
from .settings import (
    casework_settings_save,
    casework_settings_version,
    pattern_rule_add,
    pattern_rule_remove,
)
from .clock import clock_sweep, due_dates_recompute
from .intake import concern_open

# isort: on

# The name workflows.transfers still imports step_complete by.
_complete = step_complete

__all__ = [
    "AGENCY_RESPONSE_WORKING_DAYS",
    "DEFAULT_RESPONSE_WORKING_DAYS",
    "OPEN_PROCESS",
    "REFERRAL_CONTACT",
    "REFERRAL_RESPONSE",
    "EditConflict",
    "TaskConflict",
    "action_complete",
    "action_create",
    "casework_settings_save",
    "casework_settings_version",
    "claim_next",
    "clock_sweep",
    "closure_complete",
    "concern_has_open_process",
    "concern_open",
    "concern_process_start",
    "concern_reopen",
    "decision_complete",
    "due_dates_recompute",
    "holder_name",
    "last_change",
    "notify",
    "notify_new_concern",
    "pattern_review_complete",
    "pattern_rule_add",
    "pattern_rule_remove",
    "referral_open",
    "referral_response_due",
    "referral_save",
    "sign_off_complete",
    "step_complete",
    "step_write",
    "task_claim",
    "task_reassign",
    "task_release",
    "triage_complete",
]
