from typing import Any, Self

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chronicle.fields import ModelMultipleChoiceField
from records.models import DecisionOutcome
from taxonomy.models import Vocabulary
from taxonomy.selectors import terms_offered

from ..models import CaseTask
from .base import DATE, RationaleField, StepForm


class DecisionForm(StepForm):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    agencies = ModelMultipleChoiceField(
        label=_("Refer to"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One follow-up task is opened for each agency."),
    )
    rationale = RationaleField(
        label=_("Rationale"),
        help_text=_(
            "Why this decision: what you considered, the child's voice, the "
            "thresholds you applied. “NFA” on its own is not a reason."
        ),
    )
    consulted = forms.CharField(
        label=_("Who was consulted"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    review_on = forms.DateField(
        label=_("Review date"),
        required=False,
        widget=DATE,
        help_text=_("Required unless the decision is no further action."),
    )

    def __init__(self, *args, concern, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = terms_offered(
            Vocabulary.AGENCY, school=concern.school
        )

    @classmethod
    def for_task(cls, task: CaseTask, data: QueryDict | None = None) -> Self:
        return cls(data, concern=task.concern)

    def clean(self):
        data = super().clean()
        outcome, agencies = data.get("outcome"), data.get("agencies")
        if outcome == DecisionOutcome.REFERRAL and not agencies:
            self.add_error("agencies", _("Choose the agencies you are referring to."))
        if outcome and outcome != DecisionOutcome.REFERRAL and agencies:
            self.add_error(
                "agencies",
                _("Agencies go with the decision “Refer to other agencies”."),
            )
        review_on = data.get("review_on")
        if outcome and outcome != DecisionOutcome.NFA and not review_on:
            self.add_error("review_on", _("Set a date to review this decision."))
        if review_on and review_on <= timezone.localdate():
            self.add_error("review_on", _("The review date must be after today."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        return {**self.cleaned_data, "agencies": list(self.cleaned_data["agencies"])}
