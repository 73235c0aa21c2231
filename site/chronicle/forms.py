"""Helpers for every app's forms."""


def add_service_errors(form, error):
    """Show a service's ValidationError on the form that sent it: each field's
    messages on that field, anything else (or about a field the form does not have)
    at the top. The form keeps what was typed."""
    for field, errors in error.update_error_dict({}).items():
        form.add_error(field if field in form.fields else None, errors)
