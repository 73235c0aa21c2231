"""Forms for the casework pages, by topic. Each step's form (base.StepForm)
validates input and hands it to a service; the rules about reasons
(records.validators) are applied again in the services, so an API or a script
cannot skip them."""

from chronicle.forms import VersionedForm

from .actions import ActionDoneForm, ActionForm, ReassignForm
from .base import DATE, RationaleField, StepForm, TermChoiceField, changed_by
from .closure import ClosureForm, ReopenForm, SignOffForm, Verdict
from .conversation import (
    CONVERSATION_STALE,
    CONVERSATION_UNKNOWN,
    ConversationEditForm,
)
from .decision import DecisionForm
from .patterns import PatternReviewForm, PatternRuleForm
from .referral import ReferralForm
from .settings import SETTINGS_STALE, SETTINGS_UNKNOWN, CaseworkSettingsForm
from .triage import TriageForm

__all__ = [
    "CONVERSATION_STALE",
    "CONVERSATION_UNKNOWN",
    "DATE",
    "SETTINGS_STALE",
    "SETTINGS_UNKNOWN",
    "ActionDoneForm",
    "ActionForm",
    "CaseworkSettingsForm",
    "ClosureForm",
    "ConversationEditForm",
    "DecisionForm",
    "PatternReviewForm",
    "PatternRuleForm",
    "RationaleField",
    "ReassignForm",
    "ReferralForm",
    "ReopenForm",
    "SignOffForm",
    "StepForm",
    "TermChoiceField",
    "TriageForm",
    "Verdict",
    "VersionedForm",
    "changed_by",
]
