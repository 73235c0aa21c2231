"""Builds the Django form for a concern form page: the core questions (CoreConcernForm)
followed by the DSL's own questions, whose fields are named `q_<clean_name>` so a
question can never shadow a core field."""

from django import forms
from wagtail.contrib.forms.forms import FormBuilder

from .forms import QUESTION_PREFIX, YES_NO, CoreConcernForm


class ConcernFormBuilder(FormBuilder):
    def create_yesno_field(self, field, options):
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **options)

    def create_time_field(self, field, options):
        return forms.TimeField(
            widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), **options
        )

    def create_date_field(self, field, options):
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **options
        )

    @property
    def formfields(self):
        return {
            f"{QUESTION_PREFIX}{name}": formfield
            for name, formfield in super().formfields.items()
        }

    def get_form_class(self):
        return type("ConcernForm", (CoreConcernForm,), dict(self.formfields))
