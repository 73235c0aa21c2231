"""The child's file and everything recorded in it, one module per topic.

Every model and enum is re-exported here (as wagtail/models/__init__.py does), so
`from records.models import Concern` keeps working and migrations that name
`records.models.attachment_path` still find it.
"""

from .adults import AdultConcernKind, AdultRole, ConcernAboutAdult
from .concerns import (
    Concern,
    ConcernAttachment,
    ConcernPupil,
    InvolvementRole,
    ReferenceCounter,
    attachment_path,
)
from .documents import ScanStatus, StoredDocument
from .file_audits import (
    FILE_AUDIT_CHECKLIST,
    FileAudit,
    FileAuditAction,
    FileAuditSample,
)
from .file_entries import (
    Addendum,
    FileNote,
    KeyPerson,
    NoteAttachment,
    PupilFlag,
    PupilLink,
    SignificantMark,
    note_attachment_path,
)
from .pupils import Pupil, Sex, YearGroup, upn_validator
from .restrictions import BreakGlassAccess, Restriction
from .retention import DestructionCertificate, LegalHold
from .steps import (
    Action,
    Closure,
    Decision,
    DecisionOutcome,
    Referral,
    ReferralContact,
    RiskLevel,
    Triage,
)
from .transfers import (
    ImportedRecord,
    InstallationKey,
    PreviousSchoolEntry,
    Transfer,
    TransferDocument,
    imported_ids,
    transfer_document_path,
)

__all__ = [
    "FILE_AUDIT_CHECKLIST",
    "Action",
    "Addendum",
    "AdultConcernKind",
    "AdultRole",
    "BreakGlassAccess",
    "Closure",
    "Concern",
    "ConcernAboutAdult",
    "ConcernAttachment",
    "ConcernPupil",
    "Decision",
    "DecisionOutcome",
    "DestructionCertificate",
    "FileAudit",
    "FileAuditAction",
    "FileAuditSample",
    "FileNote",
    "ImportedRecord",
    "InstallationKey",
    "InvolvementRole",
    "KeyPerson",
    "LegalHold",
    "NoteAttachment",
    "PreviousSchoolEntry",
    "Pupil",
    "PupilFlag",
    "PupilLink",
    "ReferenceCounter",
    "Referral",
    "ReferralContact",
    "Restriction",
    "RiskLevel",
    "ScanStatus",
    "Sex",
    "SignificantMark",
    "StoredDocument",
    "Transfer",
    "TransferDocument",
    "Triage",
    "YearGroup",
    "attachment_path",
    "imported_ids",
    "note_attachment_path",
    "transfer_document_path",
    "upn_validator",
]
