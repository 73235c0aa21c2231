"""The file audits' old module path, kept for records.wagtail_hooks (its menu item
imports audit_schools from here) until it imports records.file_audits."""

from .file_audits.selectors import (
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
from .file_audits.services import (
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
