"""Form fields that choose rows by id, refusing ids no database could hold.

Django's ModelChoiceField passes the submitted value to the database; an id of 25
digits then fails there (OverflowError on SQLite, DataError on PostgreSQL) and the
page would answer 500. These fields answer "Select a valid choice" instead.
"""

from django import forms

MAX_ID = 2**63 - 1


def _plausible(value):
    text = str(value).strip()
    return text.isascii() and text.isdigit() and int(text) <= MAX_ID


class ModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        if self.to_field_name is None and not _plausible(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        if self.to_field_name is None and any(not _plausible(item) for item in value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": "…"},
            )
        return super()._check_values(value)
