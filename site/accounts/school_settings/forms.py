"""The school settings form: only the fields the user may set are on it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chronicle.fields import ModelChoiceField

from ..models import BankHolidayRegion, HeadConcernsTo, School, User
from .selectors import (
    chair_candidates,
    may_set_case_managers,
    may_set_nominated_lead,
    may_set_school_details,
    nominated_lead_candidates,
)


class SchoolSettingsForm(forms.Form):
    chair_of_governors = ModelChoiceField(
        label=_("Chair of governors"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "Someone who holds a role at the school (not its head). Leave empty if "
            "the school has none on the service."
        ),
    )
    head_concerns_to = forms.ChoiceField(
        label=_("A concern about the head goes first to"),
        choices=HeadConcernsTo.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "If that person is missing, or is the adult the concern names, it goes "
            "to the other."
        ),
    )
    nominated_lead = ModelChoiceField(
        label=_("Trust's nominated lead"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("For every school of the trust."),
    )
    dfe_number = forms.CharField(
        label=_("DfE number"),
        required=False,
        max_length=7,
        help_text=School._meta.get_field("dfe_number").help_text,
    )
    region = forms.ChoiceField(
        label=_("Bank holiday region"), choices=BankHolidayRegion.choices
    )

    def __init__(self, *args, school: School, user: User, **kwargs):
        initial = {
            "chair_of_governors": school.chair_of_governors_id,
            "head_concerns_to": school.head_concerns_to,
            "nominated_lead": school.trust.nominated_lead_id if school.trust else None,
            "dfe_number": school.dfe_number,
            "region": school.region,
        }
        super().__init__(*args, initial=initial, **kwargs)
        if may_set_case_managers(user, school):
            self.fields["chair_of_governors"].queryset = chair_candidates(school)
        else:
            del self.fields["chair_of_governors"], self.fields["head_concerns_to"]
        if may_set_nominated_lead(user, school.trust):
            self.fields["nominated_lead"].queryset = nominated_lead_candidates(
                school.trust
            )
        else:
            del self.fields["nominated_lead"]
        if not may_set_school_details(user, school):
            del self.fields["dfe_number"], self.fields["region"]

    @property
    def editable(self) -> bool:
        return bool(self.fields)
