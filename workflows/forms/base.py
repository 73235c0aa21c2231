"""What the casework forms share: the date widget, the reason field, and the shape
of a step's form (workflows.steps)."""

from typing import Any, Self

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext

from chronicle.fields import ModelChoiceField
from records.validators import validate_rationale

from ..models import CaseTask

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RationaleField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, *args, min_characters=40, min_words=6, **kwargs):
        self.min_characters, self.min_words = min_characters, min_words
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value or self.required:
            validate_rationale(
                value, min_characters=self.min_characters, min_words=self.min_words
            )


class TermChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class StepForm(forms.Form):
    """The form of one step of a process (workflows.steps.Step): built for its task,
    and turned into the keyword arguments of the step's service. Override either
    where the step needs more than the posted data, or more than what was typed."""

    @classmethod
    def for_task(cls, task: CaseTask, data: QueryDict | None = None) -> Self:
        return cls(data)

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def changed_by(conflict: Any) -> str:
    """Who saved what is stored now and when, as far as the record and the audit
    log say (services.EditConflict): "Amira Khan at 10:02 on 3 May 2025"."""
    who = conflict.who or gettext("a colleague")
    if not conflict.when:
        return str(who)
    when = timezone.localtime(conflict.when)
    return gettext("%(who)s at %(time)s on %(date)s") % {
        "who": who,
        "time": format_date(when, "H:i"),
        "date": format_date(when, "j F Y"),
    }
