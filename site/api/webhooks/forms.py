from django import forms
from django.utils.translation import gettext_lazy as _


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("Address (URL)"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where Chronicle sends the school's notices: https:// only."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        min_length=16,
        max_length=200,
        widget=forms.PasswordInput(render_value=True),
        help_text=_(
            "16 characters or more, shared with your receiver, which checks each "
            "notice's Chronicle-Signature with it. Not shown again."
        ),
    )
