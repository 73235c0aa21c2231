"""Forms of the retention pages: they validate input; the rules (a reason for
every hold, lift and destruction; the UPN typed to confirm) are applied again in
records.retention.services."""

from django import forms
from django.utils.translation import gettext_lazy


class HoldForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the file must be kept"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "For example: a public inquiry has asked schools to keep records; a "
            "civil claim; a police investigation."
        ),
    )


class LiftForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the hold is lifted"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DestroyForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the file can be destroyed now"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm_upn = forms.CharField(
        label=gettext_lazy("Type the child's UPN to confirm"), max_length=13
    )
