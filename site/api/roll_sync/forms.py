from django import forms
from django.utils.translation import gettext_lazy as _

from ..conf import api_setting


class ServiceTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use it, e.g. 'Arbor nightly roll'."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        maximum = api_setting("CHRONICLE_API_TOKEN_MAX_DAYS")
        self.fields["days"] = forms.IntegerField(
            label=_("Expires after (days)"),
            min_value=1,
            max_value=maximum,
            initial=maximum,
            help_text=_("At most %(max)d days.") % {"max": maximum},
        )
