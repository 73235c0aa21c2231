from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chronicle.forms import VersionedForm

from ..models import CaseworkSettings
from ..services import casework_settings_version
from .base import changed_by


class CaseworkSettingsForm(VersionedForm, forms.ModelForm):
    """Carries which save of the settings the page was loaded from (`loaded`), so
    that a DSL saving a stale page is told a colleague changed them, not left to
    overwrite (services.casework_settings_save checks it, under a lock)."""

    class Meta:
        model = CaseworkSettings
        fields = ["closure_sign_off"]
        widgets = {"closure_sign_off": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded"].initial = casework_settings_version(self.instance)

    def refuse(self, conflict: Any) -> None:
        """Nothing was saved (services.EditConflict): keep the choice made, say
        who changed the settings, when, and what they are now."""
        stored = conflict.stored.get_closure_sign_off_display()
        if conflict.missing:
            message = SETTINGS_UNKNOWN % {"stored": stored}
        else:
            message = SETTINGS_STALE % {"stored": stored, "by": changed_by(conflict)}
        self.refuse_stale(conflict.version, message)


SETTINGS_STALE = _(
    "A colleague saved these settings while you were editing, so nothing was "
    "saved. What is stored now: “%(stored)s”, saved by %(by)s. Your choice is "
    "still selected below: save again to replace theirs with it, or reload the "
    "page to keep theirs."
)
SETTINGS_UNKNOWN = _(
    "Nothing was saved: this page didn't say which version of the settings you "
    "started from, so a colleague's change could have been lost. What is stored "
    "now: “%(stored)s”. Your choice is still selected below: check it, then save "
    "again."
)
