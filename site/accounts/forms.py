from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from chronicle.fields import ModelChoiceField

from .models import ClosureKind, Role, School
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

    remember = forms.BooleanField(required=False)

    def __init__(self, *args, devices, remember_days=0, **kwargs):
        """remember_days: offer "remember this device" for that many days (0: the
        policy does not let this user skip the code, so the box is not shown)."""
        super().__init__(*args, **kwargs)
        if remember_days:
            self.fields["remember"].label = ngettext(
                "Remember this device for %(days)d day",
                "Remember this device for %(days)d days",
                remember_days,
            ) % {"days": remember_days}
            self.fields["remember"].widget.attrs["aria-describedby"] = (
                "id_remember-helptext"
            )
            self.fields["remember"].help_text = _(
                "Only on a phone or computer that is yours alone. Next time here you "
                "give your password but not a code. You can forget this device at any "
                "time from your account."
            )
        else:
            del self.fields["remember"]
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


class DateField(forms.DateField):
    """The browser's date picker; it sends and shows ISO dates whatever the locale."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SchoolTermForm(forms.Form):
    """What the DSL types for a new term. The rules (no overlap) are the model's,
    checked by services.school_term_add."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("For example “Autumn 1 2026”. A half term can be its own term."),
    )
    starts_on = DateField(label=_("First day"))
    ends_on = DateField(
        label=_("Last day"),
        help_text=_("The last day pupils are in before the holiday."),
    )


class SchoolClosureDayForm(forms.Form):
    date = DateField(label=_("Date"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ClosureKind.choices)
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("Optional, for example “Polling day”."),
    )


class RoleGiveForm(forms.Form):
    """Give someone a role at a school. The person is named by username or email,
    among the people the role keeper may name (selectors.people_nameable_by): an
    account elsewhere on the service gets the same answer as one that does not
    exist, so the page never says who has an account where."""

    person = forms.CharField(
        label=_("Username or email"),
        max_length=254,
        help_text=_(
            "Someone who already holds a role at your school. A new colleague's "
            "account is made by a system administrator, who proposes their first "
            "role for the school to confirm."
        ),
    )
    school = ModelChoiceField(label=_("School"), queryset=School.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, schools, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = people
        self.fields["school"].queryset = schools
        if len(schools) == 1:
            self.fields["school"].initial = schools[0].pk

    def clean_person(self):
        wanted = self.cleaned_data["person"].strip()
        by_name = self.people.filter(username__iexact=wanted).first()
        if by_name is not None:
            return by_name
        by_email = list(self.people.filter(email__iexact=wanted)[:2])
        if len(by_email) > 1:
            raise forms.ValidationError(
                _("More than one account has that email: give the username instead.")
            )
        if not by_email:
            raise forms.ValidationError(
                _(
                    "No one with the username or email “%(wanted)s” holds a role at "
                    "your schools. Check the spelling; for someone new, ask a "
                    "system administrator to make the account and propose its "
                    "first role."
                ),
                params={"wanted": wanted},
            )
        return by_email[0]


class RoleDecideForm(forms.Form):
    """Confirm or decline a proposed role: the button pressed says which."""

    decision = forms.ChoiceField(
        choices=[("confirm", _("Confirm")), ("decline", _("Decline"))]
    )


class LoginForm(WagtailLoginForm):
    """Wagtail's sign-in form without "Remember me": a session ends after 15 idle
    minutes and when the browser closes, so remembering would promise what
    Chronicle refuses (and, posted by hand, would keep the cookie past the
    browser's close)."""

    remember = None
