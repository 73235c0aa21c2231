"""Forms of the pupil import pages: the upload, and the confirmation that says
what to do with rows that have errors."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class RollUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roll file from the MIS"),
        help_text=gettext_lazy(
            "A Common Transfer File (CTF, .xml), an Excel workbook (.xlsx) or a CSV "
            "export of your pupils. Nothing is saved until you have seen what it "
            "would change."
        ),
    )
    whole_roll = forms.BooleanField(
        label=gettext_lazy(
            "This file is the whole roll (mark missing pupils as leavers)"
        ),
        help_text=gettext_lazy(
            "Pupils on roll here whose UPN is not in the file are given today as "
            "their leaving date. Their files are kept; nobody is deleted."
        ),
        required=False,
    )


class ImportConfirmForm(forms.Form):
    skip_errors = forms.BooleanField(
        label=gettext_lazy("Import the valid rows, skip the rows with errors"),
        required=False,
    )

    def __init__(self, *args, has_errors, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_errors = has_errors

    def clean(self):
        if self.has_errors and not self.cleaned_data.get("skip_errors"):
            raise ValidationError(
                _(
                    "Some rows have errors. Correct them in the MIS and upload the "
                    "file again, or tick “Import the valid rows, skip the rows with "
                    "errors”."
                )
            )
        return self.cleaned_data
