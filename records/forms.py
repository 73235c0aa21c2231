"""Forms for adding to a child's file. They validate; services write."""

import uuid
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chronicle.fields import LocalDateTimeField, ModelChoiceField

from .body_map import BodyMapField
from .models import FileNote, KeyPerson, PupilLink
from .uploads import check_upload

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(
    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
)


class SubmissionKeyMixin(forms.Form):
    """A hidden key, new each time the form is shown: submitting the same form
    twice makes one record (the services look the key up)."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission_key"].initial = uuid.uuid4()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [super(DocumentsField, self).clean(f, initial) for f in files if f]
        for upload in files:
            check_upload(upload)
        return files


def _concern_label(concern):
    submitted = timezone.localtime(concern.submitted_at)
    return (
        f"{concern.reference} · {submitted:%d %b %Y} · {concern.primary_category_name}"
    )


class FileNoteForm(SubmissionKeyMixin, forms.ModelForm):
    body_map = BodyMapField(
        label=_("Body map: where an injury was seen (optional)"),
    )
    documents = DocumentsField(
        label=_("Documents"),
        required=False,
        help_text=_("PDF, JPG, PNG, Word (.docx) or plain text."),
    )

    concern = ModelChoiceField(
        label=_("About concern"),
        queryset=None,
        required=False,
        empty_label=_("Not about one concern"),
    )

    def __init__(self, *args, concerns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern"].queryset = concerns
        self.fields["concern"].label_from_instance = _concern_label
        self.order_fields(["kind", "title", "occurred_at", "concern", "people", "body"])

    class Meta:
        model = FileNote
        fields = [
            "kind",
            "title",
            "occurred_at",
            "people",
            "body",
            "child_voice",
            "body_map",
        ]
        field_classes = {"occurred_at": LocalDateTimeField}
        labels = {"kind": _("What it is")}
        widgets = {
            "occurred_at": DATETIME,
            "body": forms.Textarea(attrs={"rows": 6}),
            "child_voice": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "child_voice": _("What the child said or how they seemed, in their words."),
        }

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("This is in the future."))
        return occurred_at


class AddendumForm(SubmissionKeyMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why you are adding this"),
        max_length=300,
        help_text=_("A correction, late information, the child's later account…"),
    )
    text = forms.CharField(
        label=_("Addendum"), widget=forms.Textarea(attrs={"rows": 5})
    )


class PupilLinkForm(forms.ModelForm):
    other = ModelChoiceField(label=_("Child"), queryset=None)

    class Meta:
        model = PupilLink
        fields = ["kind", "note"]

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = pupils
        self.order_fields(["other", "kind", "note"])


class KeyPersonForm(SubmissionKeyMixin, forms.ModelForm):
    class Meta:
        model = KeyPerson
        fields = ["role", "name", "organisation", "phone", "email", "from_date"]
        widgets = {"from_date": DATE}


class PupilFlagForm(SubmissionKeyMixin, forms.Form):
    flag = ModelChoiceField(label=_("Flag"), queryset=None)
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until"), widget=DATE, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, flags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flag"].queryset = flags


class ChronologyFilterForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Show"), required=False, widget=forms.CheckboxSelectMultiple
    )
    category = ModelChoiceField(
        label=_("Category"), queryset=None, required=False, empty_label=_("Any")
    )
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)
    significant_only = forms.BooleanField(label=_("Significant only"), required=False)

    def __init__(self, *args, kinds, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = list(kinds.items())
        self.fields["category"].queryset = categories


class ExportForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you exporting this file?"),
        max_length=300,
        help_text=_(
            "For example: strategy meeting on 3 December; transfer to Hillside; a "
            "subject access request. It is kept in the file's access history."
        ),
    )
    redact_other_children = forms.BooleanField(
        label=_("Redact other children's details"),
        required=False,
        help_text=_(
            "Other children's names become “[another child]” and their words "
            "are withheld, for a reader who should not see them (a parent's "
            "subject access request). Recorded in the access history."
        ),
    )


class FlagEndForm(forms.Form):
    ends_on = forms.DateField(label=_("Ended on"), widget=DATE)


class PersonEndForm(forms.Form):
    to_date = forms.DateField(label=_("Until"), widget=DATE)
