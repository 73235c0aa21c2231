"""The queue filters. A step is offered here by its declaration: workflows.steps
for the task page's steps, workflows.transfers.steps for a transfer's."""

import django_filters
import django_filters.fields
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chronicle.fields import ModelChoiceField
from taxonomy.models import Term

from .models import CaseTask
from .selectors import overdue
from .steps import STEPS
from .transfers.steps import TRANSFER_STEPS

# The task page's steps, then those worked on a transfer's own page.
FILTERED_STEPS = [
    (step.node, step.label) for step in (*STEPS.values(), *TRANSFER_STEPS)
]
STEP_CHOICES = [(node.name, label) for node, label in FILTERED_STEPS]
STEP_NODES = {node.name: node for node, _label in FILTERED_STEPS}


class _IdFilterField(ModelChoiceField, django_filters.fields.ModelChoiceField):
    """django-filter's field, refusing impossible ids (chronicle.fields)."""


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _IdFilterField


class TaskFilter(django_filters.FilterSet):
    """Queue filters; kept in the URL so a filtered queue can be shared."""

    step = django_filters.ChoiceFilter(
        label=_("Step"),
        choices=STEP_CHOICES,
        method="filter_step",
        empty_label=_("Any step"),
    )
    urgent = django_filters.BooleanFilter(label=_("Urgent only"), method="only_true")
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="only_overdue"
    )
    category = IdChoiceFilter(
        label=_("Category"),
        queryset=None,
        method="filter_category",
        empty_label=_("Any category"),
    )
    school = IdChoiceFilter(
        label=_("School"), queryset=None, empty_label=_("Any school")
    )
    assignee = IdChoiceFilter(
        label=_("Held by"),
        field_name="owner",
        queryset=None,
        empty_label=_("Anyone"),
    )

    class Meta:
        model = CaseTask
        fields = []

    def __init__(self, *args, schools, categories, people, team=False, **kwargs):
        super().__init__(*args, **kwargs)
        if team:  # the team queue holds unclaimed tasks only
            del self.filters["assignee"]
        self.filters["school"].queryset = schools
        self.filters["category"].queryset = categories
        if "assignee" in self.filters:
            self.filters["assignee"].queryset = people
        for name in ("urgent", "overdue"):
            self.filters[name].field.widget = forms.CheckboxInput()

    def filter_step(self, queryset, name, value):
        node = STEP_NODES.get(value)
        return queryset.filter(flow_task=node) if node else queryset.none()

    def filter_category(self, queryset, name, value):
        """As reported or as triaged, main category or any of its sub-categories:
        the DSL's correction counts as much as the reporter's choice."""
        if not value:
            return queryset
        chosen = Term.objects.filter(Q(pk=value.pk) | Q(parent=value.pk))
        return queryset.filter(
            Q(concern__primary_category__in=chosen)
            | Q(concern__triages__primary_category__in=chosen)
        ).distinct()

    def only_true(self, queryset, name, value):
        return queryset.filter(urgent=True) if value else queryset

    def only_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return overdue(queryset)
