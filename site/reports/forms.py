from django import forms
from django.utils.translation import gettext_lazy as _


class PinForm(forms.Form):
    title = forms.CharField(
        label=_("Name of this dashboard"),
        max_length=100,
        error_messages={"required": _("Give the dashboard a name.")},
    )
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Give the dashboard a name."))
        return title
