import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chronicle.fields import ModelChoiceField

from .base import DATE, StepForm


class ActionForm(forms.Form):
    description = forms.CharField(label=_("What needs doing"), max_length=300)
    assigned_to = ModelChoiceField(
        label=_("Who"), queryset=None, empty_label=_("Choose a person")
    )
    due_on = forms.DateField(label=_("By"), widget=DATE)
    # One action however often the button is pressed.
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = people
        self.fields["submission_key"].initial = uuid.uuid4()

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise ValidationError(_("The date is in the past."))
        return due_on


class ActionDoneForm(StepForm):
    note = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReassignForm(forms.Form):
    to = ModelChoiceField(
        label=_("Hand to"), queryset=None, empty_label=_("Choose a colleague")
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = people
