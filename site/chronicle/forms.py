"""Helpers for every app's forms."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast

from django import forms
from django.http import QueryDict

if TYPE_CHECKING:  # the stubs' name for "a str or a lazy one"; not needed to run
    from django_stubs_ext import StrOrPromise


def is_id(value: object) -> bool:
    """A database id as posted: plain ASCII digits of a sensible length."""
    return bool(re.fullmatch(r"[0-9]{1,18}", str(value)))


def add_service_errors(form, error):
    """Show a service's ValidationError on the form that sent it: each field's
    messages on that field, anything else (or about a field the form does not have)
    at the top. The form keeps what was typed."""
    for field, errors in error.update_error_dict({}).items():
        form.add_error(field if field in form.fields else None, errors)


class StaleEditRefusal(forms.BaseForm):
    """A form whose page carries which save of the record it was loaded from (in
    the hidden field named `version_field`), so that a save made on a stale page is
    refused, not left to overwrite a colleague's.

    The service (or view) compares the version under a lock and says what is
    stored now; the form then keeps what was typed and carries the stored version,
    so saving again is a deliberate choice to replace it. Mix it into any form,
    model forms and Wagtail's admin forms included; `VersionedForm` also declares
    the field."""

    version_field = "loaded"

    def loaded_version(self) -> str:
        """The version the bound page said it was loaded from ("" if it didn't)."""
        return self.data.get(self.add_prefix(self.version_field)) or ""

    def refuse_stale(self, version: str, message: StrOrPromise) -> None:
        """Refuse a bound form's save with `message`, keeping what was typed and
        carrying the version stored now: saving again is then a deliberate choice
        to replace it."""
        data = cast(QueryDict, self.data).copy()
        data[self.add_prefix(self.version_field)] = version
        self.data = data
        self.add_error(None, message)


class VersionedForm(StaleEditRefusal, forms.Form):
    """Carries which save of the record the page was loaded from (`loaded`), so
    the service can refuse a stale save instead of letting it overwrite a
    colleague's."""

    loaded = forms.CharField(
        widget=forms.HiddenInput,
        required=False,  # a page without it is refused by the save, clearly
    )


__all__ = ["StaleEditRefusal", "VersionedForm", "add_service_errors", "is_id"]
