"""Forms of the file audit pages. They validate input; the rules (a finding that
says something, a comment for every answer short of "yes", actions for people at the
school) are applied again in records.file_audits.services, so nothing can skip them."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chronicle.fields import ModelChoiceField

from ..models import FILE_AUDIT_CHECKLIST, FileAudit
from .services import MAX_SAMPLE

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SampleForm(forms.Form):
    size = forms.IntegerField(
        label=_("How many files"),
        min_value=1,
        max_value=MAX_SAMPLE,
        initial=5,
        help_text=_(
            "Drawn at random from files with at least one concern that are not "
            "already being audited."
        ),
    )


class ChooseFileForm(forms.Form):
    pupil = ModelChoiceField(
        label=_("File"), queryset=None, empty_label=_("Choose a child's file")
    )

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils


class AuditForm(forms.Form):
    """One answer and one comment per checklist question, then the finding."""

    finding = forms.CharField(
        label=_("Overall finding"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the file does well and what must change."),
    )

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        for key, question in FILE_AUDIT_CHECKLIST:
            saved = audit.answer_for(key)
            self.fields[f"{key}_answer"] = forms.ChoiceField(
                label=question,
                choices=FileAudit.Answer.choices,
                required=False,
                widget=forms.RadioSelect,
                initial=saved.get("answer"),
            )
            self.fields[f"{key}_comment"] = forms.CharField(
                label=_("Comment"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=saved.get("comment"),
            )
        self.fields["finding"] = self.fields.pop("finding")
        self.fields["finding"].initial = audit.finding

    def questions(self):
        return [
            (self[f"{key}_answer"], self[f"{key}_comment"])
            for key, _question in FILE_AUDIT_CHECKLIST
        ]

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "answers": {
                key: (data[f"{key}_answer"], data[f"{key}_comment"])
                for key, _question in FILE_AUDIT_CHECKLIST
            },
            "finding": data["finding"],
        }


class AuditActionForm(forms.Form):
    description = forms.CharField(label=_("What needs doing"), max_length=300)
    assigned_to = ModelChoiceField(
        label=_("Who"), queryset=None, empty_label=_("Choose a person")
    )
    due_on = forms.DateField(label=_("By"), widget=DATE)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = people

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("The date is in the past."))
        return due_on


class ActionDoneForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2})
    )
