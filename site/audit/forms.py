"""The audit log's filter form (GET): bad values get a message, never a 500."""

from auditlog.models import LogEntry
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import AuditAction
from .selectors import AuditFilters, people_at_audit_schools, scoped_models

ACTIONS = [
    ("", _("Any action")),
    (str(LogEntry.Action.CREATE), _("Created")),
    (str(LogEntry.Action.UPDATE), _("Changed")),
    (str(LogEntry.Action.DELETE), _("Deleted")),
    (str(LogEntry.Action.ACCESS), _("Viewed / security event")),
    (str(AuditAction.ACCESS_DENIED), _("Access refused")),
]


def _model_choices():
    return [("", _("Any kind of record"))] + sorted(
        (
            (label, str(model._meta.verbose_name).capitalize())
            for label, model in scoped_models()
        ),
        key=lambda choice: choice[1],
    )


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        label=_("Done by"), queryset=None, required=False, empty_label=_("Anyone")
    )
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS, required=False)
    model = forms.ChoiceField(label=_("Kind of record"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = people_at_audit_schools(user)
        self.fields["model"].choices = _model_choices()

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise ValidationError(_("The 'To' date can't be before the 'From' date."))
        return data

    def filters(self, **extra):
        """The valid filters (an invalid form filters by nothing it could not read)."""
        data = self.cleaned_data if self.is_valid() else {}
        action = data.get("action")
        return AuditFilters(
            actor=data.get("actor"),
            action=int(action) if action else None,
            model=data.get("model") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            **extra,
        )


def content_type_label(content_type):
    model = apps.get_model(content_type.app_label, content_type.model)
    return str(model._meta.verbose_name).capitalize()
