"""Which workflow models the audit log follows (registered from WorkflowsConfig)."""

from auditlog.registry import auditlog

from .models import (
    AdultCase,
    AdultCaseSettings,
    AdultPatternReview,
    CaseProcess,
    CaseworkSettings,
    EmployerAction,
    LadoAdvice,
    LadoReferral,
    LowLevelReview,
    PatternReview,
    PatternRule,
    StrategyDiscussion,
)

auditlog.register(CaseProcess, include_fields=["status", "urgent", "cycle"])
auditlog.register(CaseworkSettings, exclude_fields=["updated_at"])
auditlog.register(PatternRule)
auditlog.register(PatternReview, m2m_fields={"concerns"})

# Concerns about adults (workflows.adults): the case and each step's record.
auditlog.register(AdultCase)
auditlog.register(AdultCaseSettings)
auditlog.register(AdultPatternReview, m2m_fields={"concerns"})
for step_record in (
    LadoReferral,
    LadoAdvice,
    StrategyDiscussion,
    EmployerAction,
    LowLevelReview,
):
    auditlog.register(step_record)
