"""Forms for file transfers. They validate input; the transfer services write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chronicle.fields import ModelChoiceField
from records.chronology import KINDS
from records.forms import DATE, DocumentsField, SubmissionKeyMixin
from records.models import Transfer

from . import receipt
from .flows import CHECKLIST


def _not_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."))
    return value


class TransferOutStartForm(SubmissionKeyMixin):
    other_school = ModelChoiceField(
        label=_("New school, if it uses this Chronicle"),
        queryset=None,
        required=False,
        help_text=_("Leave empty and type the school's name below if it does not."),
    )
    other_school_name = forms.CharField(
        label=_("New school"), max_length=200, required=False
    )
    other_contact = forms.CharField(
        label=_("The DSL there (name, email or phone), if known"),
        max_length=300,
        required=False,
    )
    starts_on = forms.DateField(
        label=_("Starts there on"),
        widget=DATE,
        help_text=_(
            "The day the child starts at the new school, or the first day of the "
            "next term if that is not known. The file is due five school days later."
        ),
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other_school"].queryset = schools

    def clean(self):
        data = super().clean()
        if (
            not data.get("other_school")
            and not (data.get("other_school_name") or "").strip()
        ):
            self.add_error(
                "other_school_name", _("Say which school the child is going to.")
            )
        return data


class SendForm(forms.Form):
    parts = forms.MultipleChoiceField(
        label=_("Only these parts (leave all unticked to send the whole file)"),
        choices=list(KINDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    redact_other_children = forms.BooleanField(
        label=_("Redact other children's details"),
        required=False,
        help_text=_(
            "Other children's names become “[another child]” and their words are "
            "withheld, in the PDF and the data. Recorded in the file's access "
            "history."
        ),
    )
    delivery = forms.ChoiceField(
        label=_("Send it by"),
        choices=Transfer.Delivery.choices,
        initial=Transfer.Delivery.LINK,
        widget=forms.RadioSelect,
    )
    delivery_note = forms.CharField(
        label=_("How and to whom it was sent (not needed for the link)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("delivery") not in (None, Transfer.Delivery.LINK)
            and not (data.get("delivery_note") or "").strip()
        ):
            self.add_error("delivery_note", _("Say how and to whom the file was sent."))
        return data


class ConversationForm(forms.Form):
    with_whom = forms.CharField(
        label=_("Spoke to (name, role, school)"), max_length=300, required=False
    )
    on = forms.DateField(
        label=_("On"), widget=DATE, required=False, validators=[_not_future]
    )
    summary = forms.CharField(
        label=_("What was shared"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    not_needed = forms.CharField(
        label=_("Or: why no conversation was needed"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def clean(self):
        data = super().clean()
        summary = (data.get("summary") or "").strip()
        if not summary and not (data.get("not_needed") or "").strip():
            raise forms.ValidationError(
                _("Record the conversation, or say why none was needed.")
            )
        if summary:
            if not (data.get("with_whom") or "").strip():
                self.add_error("with_whom", _("Say who you spoke to."))
            if not data.get("on"):
                self.add_error("on", _("Say when."))
        return data


class ReceiptForm(forms.Form):
    name = forms.CharField(label=_("Received by"), max_length=200)
    role = forms.CharField(label=_("Their role"), max_length=200)
    school_name = forms.CharField(label=_("School"), max_length=200)
    received_on = forms.DateField(
        label=_("Received on"), widget=DATE, validators=[_not_future]
    )


class RecordedReceiptForm(ReceiptForm):
    evidence = forms.CharField(
        label=_("Evidence of receipt (what it is, where it is kept)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    document = forms.FileField(
        label=_("A scan of the signed receipt or the email, if you have it"),
        required=False,
    )


class LinkReceiptForm(ReceiptForm):
    manifest_hash = forms.CharField(
        label=_("Manifest hash shown by your system on import (optional)"),
        max_length=64,
        required=False,
    )


class SignedReceiptForm(forms.Form):
    """The receiving Chronicle's signed receipt: pasted, or its .txt uploaded."""

    code = forms.CharField(
        label=_("Signed receipt: paste the code the receiving school sent"),
        help_text=_("It starts with CHRONICLE-RECEIPT-1."),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        max_length=4000,
        required=False,
    )
    receipt_file = forms.FileField(
        label=_("Or upload their receipt file (.txt)"), required=False
    )

    def clean(self):
        data = super().clean()
        code = (data.get("code") or "").strip()
        upload = data.get("receipt_file")
        if not code and upload is not None:
            try:
                code = receipt.text_of(upload).strip()
            except ValidationError as error:
                self.add_error("receipt_file", error)
                return data
        if not code and not self.has_error("code"):
            self.add_error("code", _("Paste the receipt's code, or upload its file."))
        data["code"] = code
        return data


class ExpectedForm(forms.Form):
    expected = forms.TypedChoiceField(
        label=_("Should a child protection file follow this child?"),
        choices=[
            ("yes", _("Yes, or we don't know yet: wait for it and chase it")),
            ("no", _("No")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    other_school_name = forms.CharField(
        label=_("Previous school"), max_length=200, required=False
    )
    other_contact = forms.CharField(
        label=_("Their DSL (name, email or phone), if known"),
        max_length=300,
        required=False,
    )
    reason = forms.CharField(
        label=_("If no: why not (e.g. no safeguarding history, checked with them)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("expected") is True
            and not (data.get("other_school_name") or "").strip()
        ):
            self.add_error("other_school_name", _("Which school should send it?"))
        if data.get("expected") is False and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why no file is expected."))
        return data


class BundleForm(forms.Form):
    bundle = forms.FileField(label=_("The bundle (.zip) the previous school sent"))
    passphrase = forms.CharField(
        label=_("Its passphrase (given to you separately)"), max_length=200, strip=True
    )


class DocumentsForm(forms.Form):
    """A file from a school without Chronicle (a PDF, scans, another system's
    export): kept with the transfer and entered in the child's chronology as an
    entry from that school, with the DSL's summary of what it says."""

    documents = DocumentsField(
        label=_("Or: the file as PDF or scans (up to 5 files)"),
        error_messages={"required": _("Choose the file the previous school sent.")},
    )
    sender_school = forms.CharField(
        label=_("Sent by (school)"),
        max_length=200,
        error_messages={"required": _("Which school sent it?")},
    )
    sender_name = forms.CharField(
        label=_("Their DSL or the person who sent it"),
        max_length=200,
        error_messages={"required": _("Who sent it?")},
    )
    sent_on = forms.DateField(
        label=_("Sent on (if known)"),
        widget=DATE,
        required=False,
        validators=[_not_future],
    )
    received_on = forms.DateField(
        label=_("Received on"),
        widget=DATE,
        validators=[_not_future],
        error_messages={"required": _("When did it arrive?")},
    )
    summary = forms.CharField(
        label=_("Your summary of what the file says"),
        help_text=_(
            "The concerns, plans, agencies and people it names, and anything that "
            "needs acting on: this is the entry the chronology shows."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Summarise what the file says.")},
    )


class InCompleteForm(forms.Form):
    gaps = forms.CharField(
        label=_("What is missing, and what you are doing about it"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    sw_spoke_to = forms.CharField(
        label=_("Social worker spoken to"), max_length=300, required=False
    )
    sw_on = forms.DateField(
        label=_("On"), widget=DATE, required=False, validators=[_not_future]
    )
    sw_summary = forms.CharField(
        label=_("First conversation with the social worker: what was said"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    sw_not_yet = forms.CharField(
        label=_("Or: why there is no conversation yet (no social worker, not reached)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in reversed(CHECKLIST):
            self.fields = {
                f"check_{key}": forms.BooleanField(label=label, required=False),
                **self.fields,
            }

    @property
    def checklist_fields(self):
        return [self[f"check_{key}"] for key, _label in CHECKLIST]

    @property
    def other_fields(self):
        return [
            self[name]
            for name in ("gaps", "sw_spoke_to", "sw_on", "sw_summary", "sw_not_yet")
        ]

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "checklist": {key: data[f"check_{key}"] for key, _label in CHECKLIST},
            "gaps": data["gaps"],
            "sw_spoke_to": data["sw_spoke_to"],
            "sw_on": data["sw_on"],
            "sw_summary": data["sw_summary"],
            "sw_not_yet": data["sw_not_yet"],
        }


class ImportForm(forms.Form):
    """Import a previewed bundle; when the child in it is not plainly this child,
    the DSL's reason for importing it all the same."""

    document = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    identity_reason = forms.CharField(
        label=_("How do you know this is the same child?"),
        help_text=_(
            "For example: the previous school confirmed the UPN was corrected, or "
            "the child's surname changed (say what you checked, and with whom)."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
