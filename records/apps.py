from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    """The child's file: pupils, concerns, chronology, attachments, addenda."""

    name = "records"
    label = "records"
    verbose_name = _("Children's records")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import (
            Action,
            Addendum,
            BreakGlassAccess,
            Closure,
            Concern,
            ConcernAboutAdult,
            ConcernAttachment,
            ConcernPupil,
            Decision,
            DestructionCertificate,
            FileAudit,
            FileAuditAction,
            FileAuditSample,
            FileNote,
            ImportedRecord,
            KeyPerson,
            LegalHold,
            NoteAttachment,
            PreviousSchoolEntry,
            Pupil,
            PupilFlag,
            PupilLink,
            Referral,
            ReferralContact,
            Restriction,
            SignificantMark,
            Transfer,
            TransferDocument,
            Triage,
        )

        auditlog.register(Pupil, exclude_fields=["updated_at"])
        # reporting_category is derived (the latest triage's, which is audited).
        auditlog.register(
            Concern, m2m_fields={"tags"}, exclude_fields=["reporting_category"]
        )
        auditlog.register(ConcernPupil)
        auditlog.register(ConcernAboutAdult)
        auditlog.register(ConcernAttachment)
        auditlog.register(Triage, m2m_fields={"tags"})
        auditlog.register(Decision)
        auditlog.register(Referral)
        auditlog.register(ReferralContact)
        auditlog.register(Action)
        auditlog.register(Closure)
        # The one-time link's hash is a credential, and the receipt challenge the
        # secret a signed receipt answers: neither is copied into the log.
        auditlog.register(
            Transfer, exclude_fields=["link_token_hash", "receipt_challenge"]
        )
        for model in (
            Addendum,
            FileAudit,
            FileAuditAction,
            FileAuditSample,
            FileNote,
            KeyPerson,
            NoteAttachment,
            PupilFlag,
            PupilLink,
            SignificantMark,
            TransferDocument,
            PreviousSchoolEntry,
            ImportedRecord,
            LegalHold,
            DestructionCertificate,
            BreakGlassAccess,
        ):
            auditlog.register(model)
        auditlog.register(Restriction, m2m_fields={"people"})
