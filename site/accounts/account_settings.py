"""The email address on the account page, changed only with the current password.

Password reset links go to this address: whoever sits at a signed-in computer left
unlocked could otherwise put their own address there and take the account over
with a reset. Wagtail's own "Name and Email" panel has no password field, so it
shows the name only (WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False) and this panel,
added by the register_account_settings_panel hook, holds the email.

The password is checked through authenticate(), not check_password(), so that
django-axes counts a wrong one as it does at sign-in: otherwise the same borrowed
session could try passwords here without limit.
"""

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.account import BaseSettingsPanel

from audit.services import security_event

from .models import User


class EmailChangeForm(forms.ModelForm):
    email = forms.EmailField(label=_("Email"), required=True)
    current_password = forms.CharField(
        label=_("Current password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Needed only to change your email address."),
    )

    class Meta:
        model = User
        fields = ["email"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        # From the database: the account page validates every panel's form on the
        # user object it renders with, so this instance may already hold the new
        # address when the page is drawn again with the refusal.
        self._email_before = (
            User.objects.filter(pk=self.instance.pk)
            .values_list("email", flat=True)
            .first()
        )

    def _changing(self):
        new = self.cleaned_data.get("email") or ""
        return new.strip().lower() != (self._email_before or "").strip().lower()

    def clean(self):
        cleaned = super().clean()
        if "email" in cleaned and self._changing():
            password = cleaned.get("current_password") or ""
            user = authenticate(
                self.request, username=self.instance.get_username(), password=password
            )
            if user is None or user.pk != self.instance.pk:
                self.add_error(
                    "current_password",
                    _(
                        "Enter your current password to change your email address. "
                        "Your email has not been changed."
                    ),
                )
        return cleaned

    def save(self, commit=True):
        changed = self._changing()
        user = super().save(commit=commit)
        if commit and changed:
            security_event(user=user, event="email changed")
        return user


class EmailSettingsPanel(BaseSettingsPanel):
    name = "email"
    title = _("Email")
    order = 110
    form_class = EmailChangeForm

    def get_form(self):
        """The form with the request, which axes needs to count a wrong password
        against this user and address."""
        kwargs = {"instance": self.user, "prefix": self.name, "request": self.request}
        if self.request.method == "POST":
            return self.form_class(self.request.POST, self.request.FILES, **kwargs)
        return self.form_class(**kwargs)
