"""The audit log's filters (GET), as a django-filter FilterSet for Wagtail's listing
views: bad values get a message, never a 500."""

from datetime import datetime, time, timedelta

import django_filters
from auditlog.models import LogEntry
from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditAction, ChainedLogEntry

from .selectors import people_at_audit_schools, scoped_models

ACTIONS = [
    (str(LogEntry.Action.CREATE), _("Created")),
    (str(LogEntry.Action.UPDATE), _("Changed")),
    (str(LogEntry.Action.DELETE), _("Deleted")),
    (str(LogEntry.Action.ACCESS), _("Viewed / security event")),
    (str(AuditAction.ACCESS_DENIED), _("Access refused")),
]


def _model_choices():
    return sorted(
        (
            (label, str(model._meta.verbose_name).capitalize())
            for label, model in scoped_models()
        ),
        key=lambda choice: choice[1],
    )


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _people(request):
    return people_at_audit_schools(request.user)


class AuditFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise ValidationError(_("The 'To' date can't be before the 'From' date."))
        return data


class AuditFilterSet(django_filters.FilterSet):
    """Who did it, what was done, to what kind of record, between which days. The
    page's scope (the DSL's schools, one record, one person) is the selector's."""

    actor = django_filters.ModelChoiceFilter(
        label=_("Done by"), queryset=_people, empty_label=_("Anyone")
    )
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=ACTIONS, empty_label=_("Any action")
    )
    model = django_filters.ChoiceFilter(
        label=_("Kind of record"),
        empty_label=_("Any kind of record"),
        method="filter_model",
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
        method="filter_date_from",
    )
    date_to = django_filters.DateFilter(
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
        method="filter_date_to",
    )

    class Meta:
        model = ChainedLogEntry
        form = AuditFilterForm
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the kinds of record the log can place at a school, read per request.
        self.filters["model"].extra["choices"] = _model_choices()

    def filter_model(self, queryset, name, value):
        model = apps.get_model(value)
        return queryset.filter(content_type=ContentType.objects.get_for_model(model))

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(timestamp__gte=_day_start(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(timestamp__lt=_day_start(value) + timedelta(days=1))


def content_type_label(content_type):
    model = apps.get_model(content_type.app_label, content_type.model)
    return str(model._meta.verbose_name).capitalize()
