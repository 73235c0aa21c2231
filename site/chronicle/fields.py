"""Form fields that choose rows by id, refusing ids no database could hold.

Django's ModelChoiceField passes the submitted value to the database; an id of 25
digits then fails there (OverflowError on SQLite, DataError on PostgreSQL) and the
page would answer 500. These fields answer "Select a valid choice" instead. And a
date-time field that accepts the hour the clocks change.
"""

from datetime import UTC

from django import forms
from django.utils import timezone

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


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed in the school's time zone. Django refuses the hour
    that happens twice when the clocks go back (and the hour skipped when they go
    forward) as "ambiguous"; someone recording at 01:30 that night means the 01:30
    they lived through first, so that is what is kept. A skipped time is read on
    the clock from before the change (01:30 GMT: 02:30 BST)."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
            naive = error.params["datetime"]
        zone = timezone.get_current_timezone()
        # Through UTC: an aware time left in the fold or gap compares unequal to
        # every other zone's (PEP 495).
        return timezone.localtime(naive.replace(tzinfo=zone, fold=0), UTC)
