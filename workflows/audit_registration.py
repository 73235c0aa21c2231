"""Which workflow models the audit log follows (registered from WorkflowsConfig)."""

from auditlog.registry import auditlog

from .models import CaseProcess, CaseworkSettings, PatternReview, PatternRule

auditlog.register(CaseProcess, include_fields=["status", "urgent", "cycle"])
auditlog.register(CaseworkSettings, exclude_fields=["updated_at"])
auditlog.register(PatternRule)
auditlog.register(PatternReview, m2m_fields={"concerns"})
