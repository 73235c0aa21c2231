from django import forms
from django.utils.translation import gettext_lazy as _

from .conf import api_setting
from .models import Scope


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What it is for, e.g. 'School portal' or 'My phone'."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("May be used for"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Give it only what the client needs."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        maximum = api_setting("CHRONICLE_API_TOKEN_MAX_DAYS")
        self.fields["days"] = forms.IntegerField(
            label=_("Expires after (days)"),
            min_value=1,
            max_value=maximum,
            initial=api_setting("CHRONICLE_API_TOKEN_DAYS"),
            help_text=_("At most %(max)d days.") % {"max": maximum},
        )
