"""The forms of the case manager's steps (workflows.steps declares them). The
services check the same rules again (a reason is a reason, a late referral says
why), so an error from either keeps what was typed."""

from typing import Any, Self

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..forms import DATE, RationaleField, StepForm
from ..models import CaseTask
from .models import (
    OUTCOME_HELP,
    AdultCaseSettings,
    LadoAdvice,
    LadoReferral,
    LowLevelReview,
    Outcome,
)

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def yes_no(label: str, **kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        **kwargs,
    )


class LadoReferralForm(StepForm):
    referred_on = forms.DateField(label=_("Referred on"), widget=DATE)
    lado_name = forms.CharField(
        label=_("LADO spoken to or written to"),
        max_length=200,
        help_text=_("Their name, or the LADO service's name if you used its form."),
    )
    method = forms.ChoiceField(
        label=_("How"), choices=LadoReferral.Method.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label=_("What the LADO was told"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    late_reason = forms.CharField(
        label=_("If after the due date: why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @classmethod
    def for_task(cls, task: CaseTask, data: QueryDict | None = None) -> Self:
        form = cls(data, initial={"referred_on": timezone.localdate()})
        form.due_on = task.due_on
        return form

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        referred_on, due_on = cleaned.get("referred_on"), getattr(self, "due_on", None)
        if referred_on and due_on and referred_on > due_on:
            if not (cleaned.get("late_reason") or "").strip():
                self.add_error(
                    "late_reason",
                    _("The referral was due by %(date)s: say why it was later.")
                    % {"date": due_on.strftime("%d %b %Y")},
                )
        return cleaned


class LadoAdviceForm(StepForm):
    received_on = forms.DateField(label=_("Advice received on"), widget=DATE)
    advice = forms.ChoiceField(
        label=_("The LADO's advice"),
        choices=LadoAdvice.Advice.choices,
        widget=forms.RadioSelect,
    )
    reasons = RationaleField(
        label=_("The reasons the LADO gave"),
        help_text=_(
            "In the LADO's words where you can: what they weighed up and why they "
            "advised this."
        ),
    )

    @classmethod
    def for_task(cls, task: CaseTask, data: QueryDict | None = None) -> Self:
        return cls(data, initial={"received_on": timezone.localdate()})


class StrategyForm(StepForm):
    held = yes_no(_("Was a strategy discussion held?"))
    held_on = forms.DateField(label=_("Held on"), widget=DATE, required=False)
    attendees = forms.CharField(
        label=_("Who took part"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Names and agencies: the LADO, police, children's social care…"),
    )
    decisions = RationaleField(
        label=_("Decisions, or why no strategy discussion was held"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("held"):
            if not cleaned.get("held_on"):
                self.add_error("held_on", _("Give the date it was held."))
            if not (cleaned.get("attendees") or "").strip():
                self.add_error("attendees", _("Say who took part: names and agencies."))
        return cleaned


class EmployerActionForm(StepForm):
    suspended = yes_no(_("Has the adult been suspended?"))
    suspension_reasons = RationaleField(
        label=_("Why suspension was, or was not, the answer"),
        help_text=_(
            "Suspension only when there is no reasonable alternative: say what you "
            "considered (redeployment, supervision, another class) and why."
        ),
    )
    other_actions = forms.CharField(
        label=_("Other actions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OutcomeForm(StepForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(o.value, f"{o.label}: {OUTCOME_HELP[o]}") for o in Outcome],
        widget=forms.RadioSelect,
    )
    rationale = RationaleField(
        label=_("Why this outcome"),
        help_text=_("The evidence you weighed and how it supports the outcome."),
    )
    date_of_birth = forms.DateField(
        label=_("The adult's date of birth (optional)"),
        widget=DATE,
        required=False,
        help_text=_(
            "Only needed if normal pension age comes more than 10 years from now: "
            "the record is then kept until then. Without it, it is kept 10 years."
        ),
    )


class LowLevelReviewForm(StepForm):
    decision = forms.ChoiceField(
        label=_("What you decided"),
        choices=LowLevelReview.Decision.choices,
        widget=forms.RadioSelect,
    )
    what_decided = RationaleField(
        label=_("What was decided, and why"),
        help_text=_(
            "What the concern says about the adult's conduct against the code of "
            "conduct, and what follows."
        ),
    )


class AdultPatternReviewForm(StepForm):
    conclusion = RationaleField(
        label=_("What the concerns show together, and what follows"),
        help_text=_(
            "Read them together: is there a pattern of behaviour? Whether it now "
            "meets the harm threshold (refer to the LADO) or what else follows."
        ),
    )


class AdultCaseSettingsForm(forms.ModelForm):
    class Meta:
        model = AdultCaseSettings
        fields = ["pattern_min_concerns", "pattern_within_days", "normal_pension_age"]
