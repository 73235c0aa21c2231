from typing import Any, Self

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from records.models import Referral

from ..models import CaseTask
from .base import DATE, StepForm

# The name of the button that records the response and completes the task; the
# other button saves the contact details and leaves it open.
COMPLETE = "complete"


class ReferralForm(StepForm, forms.ModelForm):
    """Contact details can be saved while waiting; the response completes the task."""

    class Meta:
        model = Referral
        fields = [
            "contacted_on",
            "method",
            "contact_name",
            "reference",
            "responded_on",
            "agency_outcome",
            "response",
            "agency_rationale",
            "disagreement",
        ]
        widgets = {
            "contacted_on": DATE,
            "responded_on": DATE,
            "response": forms.Textarea(attrs={"rows": 3}),
            "agency_rationale": forms.Textarea(attrs={"rows": 3}),
            "disagreement": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "agency_rationale": _(
                "Required when the agency takes no further action: ask them why."
            ),
        }

    @classmethod
    def for_task(cls, task: CaseTask, data: QueryDict | None = None) -> Self:
        return cls(data, instance=task.referral)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in ("contacted_on", "responded_on"):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("This date is in the future."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "complete": COMPLETE in self.data,
            **{name: self.cleaned_data[name] for name in self.Meta.fields},
        }
