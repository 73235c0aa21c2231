from datetime import date
from typing import Any, Self

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from records.models import Concern, DecisionOutcome, RiskLevel

from ..models import CaseTask, CaseworkSettings
from .base import DATE, RationaleField, StepForm


class ClosureForm(StepForm):
    outcome_summary = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What happened as a result: for the child, and from agencies."),
    )
    rationale = RationaleField(label=_("Why it can close"))
    review_on = forms.DateField(
        label=_("Review on"),
        required=False,
        widget=DATE,
        help_text=_("The concern reopens for a new decision on this date."),
    )
    needs_sign_off = forms.BooleanField(
        label=_("Ask a second DSL to sign off the closure"), required=False
    )

    def __init__(self, *args, sign_off_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        if sign_off_required:
            field = self.fields["needs_sign_off"]
            field.initial, field.disabled = True, True
            field.help_text = _(
                "Your school's casework settings require a second DSL to sign off "
                "this closure."
            )

    @classmethod
    def for_task(cls, task: CaseTask, data: QueryDict | None = None) -> Self:
        """Sign-off ticked where the school requires it or the risk was high, and
        the closure drafted from the decision."""
        concern, process = task.concern, task.process.coerced
        required = CaseworkSettings.for_school(task.school).sign_off_required(
            concern, process.cycle
        )
        return cls(
            data,
            initial={
                "needs_sign_off": required or _high_risk(concern),
                **_closure_draft(concern, process.cycle),
            },
            sign_off_required=required,
        )

    def clean_review_on(self):
        review_on = self.cleaned_data.get("review_on")
        if review_on and review_on <= timezone.localdate():
            raise ValidationError(_("The review date must be after today."))
        return review_on


def _closure_draft(concern: Concern, cycle: int) -> dict[str, Any]:
    """What the closing DSL would otherwise retype: the decision's review date and
    reason, and what each agency decided. She edits it; nothing is saved unread."""
    decision = concern.decisions.filter(cycle=cycle).last()
    if decision is None:
        return {}
    lines = [f"{decision.get_outcome_display()}."]
    for referral in decision.referrals.all():
        outcome = referral.get_agency_outcome_display() or gettext(
            "no response recorded"
        )
        lines.append(f"{referral.agency_name}: {outcome}.")
    draft: dict[str, str | date] = {"outcome_summary": " ".join(lines)}
    if decision.outcome == DecisionOutcome.NFA:
        draft["rationale"] = decision.rationale
    if decision.review_on and decision.review_on > timezone.localdate():
        draft["review_on"] = decision.review_on
    return draft


def _high_risk(concern: Concern) -> bool:
    triage = concern.triages.order_by("-pk").first()
    return bool(triage and triage.risk_level in (RiskLevel.HIGH, RiskLevel.IMMEDIATE))


class Verdict(models.TextChoices):
    AGREE = "agree", _("I have read the record and agree this concern can close")
    SEND_BACK = "send_back", _("Send it back to closure: it is not ready to close")


class SignOffForm(StepForm):
    verdict = forms.ChoiceField(
        label=_("Your sign-off"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you send it back: say what is missing."),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("verdict") == Verdict.SEND_BACK
            and not data.get("note", "").strip()
        ):
            self.add_error("note", _("Say why it is not ready to close."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "agree": self.cleaned_data["verdict"] == Verdict.AGREE,
            "note": self.cleaned_data["note"],
        }


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen it"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
