"""File audits: a DSL, deputy or head samples files and reviews each against a
checklist, records a finding and gives people actions.

selectors (reads, filtered to the schools where the user may audit), services
(writes: keyword-only, validated, atomic), forms and views (the admin pages; their
URLs are views.urlpatterns). This package re-exports the selectors and services.
"""

from .selectors import (
    AUDIT_ROLES,
    FileFacts,
    audit_actions_managed_by,
    audit_actions_of,
    audit_schools,
    audits_visible_to,
    file_facts,
    files_with_concerns,
    open_audit_actions,
    people_at,
    pupils_auditable_by,
)
from .services import (
    MAX_SAMPLE,
    file_audit_action_add,
    file_audit_action_done,
    file_audit_sample_draw,
    file_audit_save,
    file_audit_start,
)

__all__ = [
    "AUDIT_ROLES",
    "MAX_SAMPLE",
    "FileFacts",
    "audit_actions_managed_by",
    "audit_actions_of",
    "audit_schools",
    "audits_visible_to",
    "file_audit_action_add",
    "file_audit_action_done",
    "file_audit_sample_draw",
    "file_audit_save",
    "file_audit_start",
    "file_facts",
    "files_with_concerns",
    "open_audit_actions",
    "people_at",
    "pupils_auditable_by",
]
