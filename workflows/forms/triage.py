from typing import Any, Self

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from chronicle.fields import ModelMultipleChoiceField
from records.models import InvolvementRole, RiskLevel
from taxonomy.models import Vocabulary
from taxonomy.selectors import category_tree, terms_offered

from ..models import CaseTask
from .base import RationaleField, StepForm, TermChoiceField


def _grouped_categories(school):
    choices = []
    for main in category_tree(school=school):
        if not main.offered:
            choices.append((main.pk, main.name))
            continue
        options = [(main.pk, _("%(name)s (in general)") % {"name": main.name})]
        options += [(sub.pk, sub.name) for sub in main.offered]
        choices.append((main.name, options))
    return choices


class TriageForm(StepForm):
    primary_category = TermChoiceField(
        label=_("Category"), queryset=None, empty_label=None
    )
    tags = ModelMultipleChoiceField(
        label=_("Also about"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_level = forms.ChoiceField(
        label=_("Risk"), choices=RiskLevel.choices, widget=forms.RadioSelect
    )
    risk_reason = RationaleField(
        label=_("Why this level of risk"), min_characters=15, min_words=4
    )
    actions_needed = forms.CharField(
        label=_("Actions already needed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Give people tasks with dates from the concern's page."),
    )

    def __init__(self, *args, concern, **kwargs):
        self.concern = concern
        super().__init__(*args, **kwargs)
        categories = terms_offered(Vocabulary.CATEGORY, school=concern.school)
        self.fields["primary_category"].queryset = categories
        self.fields["tags"].queryset = categories
        # Sub-categories under their main category, as staff saw them.
        grouped = _grouped_categories(concern.school)
        self.fields["primary_category"].choices = grouped
        self.fields["tags"].choices = grouped
        self.fields["primary_category"].initial = concern.primary_category_id
        self.fields["tags"].initial = [tag.pk for tag in concern.tags.all()]
        for involvement in concern.involvements.select_related("pupil"):
            self.fields[f"role_{involvement.pk}"] = forms.ChoiceField(
                label=str(involvement.pupil),
                choices=InvolvementRole.choices,
                initial=involvement.role,
            )

    @classmethod
    def for_task(cls, task: CaseTask, data: QueryDict | None = None) -> Self:
        return cls(data, concern=task.concern)

    def role_fields(self):
        return [self[name] for name in self.fields if name.startswith("role_")]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        roles = {
            int(name.removeprefix("role_")): data.pop(name)
            for name in list(data)
            if name.startswith("role_")
        }
        return {**data, "tags": list(data["tags"]), "roles": roles}
