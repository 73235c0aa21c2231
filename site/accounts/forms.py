from django import forms
from django.utils.translation import gettext_lazy as _

from .two_factor import BACKUP_DEVICE_NAME


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Code"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
        )
        super().__init__(**kwargs)


class EnrolForm(forms.Form):
    code = CodeField(
        label=_("Six-digit code from your app"),
        help_text=_("Enter the code your authenticator app shows now."),
    )


class VerifyForm(forms.Form):
    """Pick how to verify (app or a backup code) and enter the code."""

    device = forms.ChoiceField(label=_("Verify with"), widget=forms.RadioSelect)
    code = CodeField(
        help_text=_(
            "The six-digit code from your authenticator app, or one of your backup "
            "codes."
        )
    )

    def __init__(self, *args, devices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["device"].choices = [
            (device.persistent_id, self._label(device)) for device in devices
        ]
        if devices:
            self.fields["device"].initial = devices[0].persistent_id

    @staticmethod
    def _label(device):
        if device.name == BACKUP_DEVICE_NAME:
            return _("A backup code")
        return _("My authenticator app")
