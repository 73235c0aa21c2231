import uuid
from typing import Any, Self

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chronicle.fields import ModelMultipleChoiceField
from records.models import InvolvementRole, Pupil, Referral
from records.selectors import pupils_workable_by

from ..models import CaseTask
from .base import DATE, StepForm

# The name of the button that records the response and completes the task; the
# other buttons save the contact details and leave it open, CHASE also logging a
# contact with the agency ("phoned MASH to chase").
COMPLETE = "complete"
CHASE = "chase"
DATETIME = forms.DateTimeInput(
    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
)


class ReferralForm(StepForm, forms.ModelForm):
    """Contact details can be saved while waiting, and each chase logged; the
    response (or, when the agency never answered, the escalation) completes the
    task."""

    chase_at = forms.DateTimeField(
        label=_("When you contacted them"),
        required=False,
        widget=DATETIME,
        initial=timezone.localtime,
    )
    chase_method = forms.ChoiceField(
        label=_("How you contacted them"),
        required=False,
        choices=[("", "---------"), *Referral.Method.choices],
    )
    chase_spoke_to = forms.CharField(
        label=_("Who you spoke to or wrote to"), required=False, max_length=200
    )
    chase_said = forms.CharField(
        label=_("What was said"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: phoned the MASH duty line; the referral is with a "
            "social worker, a decision is expected by Friday."
        ),
    )
    # Makes a double click on "Log this contact" one contact.
    chase_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    key_person_for = ModelMultipleChoiceField(
        label=_("Add this worker as a key person on the file of"),
        queryset=Pupil.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Tick a child to add the worker to their key people, with the agency "
            "and today's date, when you complete the follow-up."
        ),
    )

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
            "worker_name",
            "worker_phone",
            "worker_email",
            "escalated_on",
            "escalated_to",
            "escalation_reason",
        ]
        widgets = {
            "contacted_on": DATE,
            "responded_on": DATE,
            "escalated_on": DATE,
            "escalation_reason": forms.Textarea(attrs={"rows": 3}),
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
        form = cls(data, instance=task.referral, initial={"chase_key": uuid.uuid4()})
        # The children of the concern whose file the task's holder works (only
        # the holder works the form: workflows.views.tasks).
        holder = task.owner
        form.fields["key_person_for"].queryset = (
            pupils_workable_by(holder)
            .filter(
                involvements__concern=task.concern_id,
                involvements__role=InvolvementRole.SUBJECT,
            )
            .order_by("last_name", "first_name")
            if holder
            else Pupil.objects.none()
        )
        return form

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in ("contacted_on", "responded_on", "escalated_on"):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("This date is in the future."))
        if data.get("key_person_for") and not data.get("worker_name"):
            self.add_error(
                "worker_name", _("Give the worker's name to add them as a key person.")
            )
        if self.logs_contact:
            required = {
                "chase_at": _("Say when you contacted them."),
                "chase_method": _("Say how you contacted them."),
                "chase_said": _("Say what was said."),
            }
            for name, message in required.items():
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data

    @property
    def logs_contact(self) -> bool:
        return CHASE in self.data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs = {
            "complete": COMPLETE in self.data,
            **{name: data[name] for name in self.Meta.fields},
        }
        if kwargs["complete"] and data.get("key_person_for"):
            kwargs["key_person_for"] = list(data["key_person_for"])
        if self.logs_contact:
            kwargs["contact"] = {
                "contacted_at": data["chase_at"],
                "method": data["chase_method"],
                "spoke_to": data["chase_spoke_to"],
                "summary": data["chase_said"],
                "submission_key": data["chase_key"],
            }
        return kwargs
