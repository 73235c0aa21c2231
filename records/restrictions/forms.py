"""Forms of the need-to-know pages: they validate input; who may be named, who may
restrict and who may break the glass are checked again in the services."""

from django import forms
from django.utils.translation import gettext_lazy

from accounts.models import School
from accounts.selectors import CASE_ROLES, schools_where

from .selectors import eligible_people
from .services import BREAK_GLASS_MINUTES


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.username


class RestrictForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why access is restricted"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "For example: an allegation about a member of staff; the child is a "
            "relative of someone who works here. Everyone named can read this."
        ),
    )
    people = PeopleChoice(
        label=gettext_lazy("Who may see it"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "Only the people ticked (and you) will see it: in lists, the file, "
            "tasks, exports and the audit log. Leave out anyone the concern is "
            "about or who is close to the child."
        ),
    )

    def __init__(self, *args, record, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = eligible_people(record).exclude(pk=user.pk)


class LiftForm(forms.Form):
    lift_reason = forms.CharField(
        label=gettext_lazy("Why the restriction is lifted"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BreakGlassForm(forms.Form):
    school = forms.ModelChoiceField(
        label=gettext_lazy("School"), queryset=School.objects.none()
    )
    reference = forms.CharField(
        label=gettext_lazy("Concern reference"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("For example C000123."),
    )
    upn = forms.CharField(
        label=gettext_lazy("or the child's UPN (for the whole file)"),
        required=False,
        max_length=13,
    )
    reason = forms.CharField(
        label=gettext_lazy("Why you need to see it now"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy(
            "The school's head and DSLs (not you) are told at once, with your "
            "name and this reason. "
            "The access is read-only and ends after %(minutes)d minutes."
        )
        % {"minutes": BREAK_GLASS_MINUTES},
    )
    understood = forms.BooleanField(
        label=gettext_lazy(
            "I understand this access is logged and reviewed by the school's DSLs."
        )
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_superuser:
            schools = School.objects.filter(is_active=True)
        else:
            schools = schools_where(user, *CASE_ROLES)
        self.fields["school"].queryset = schools.order_by("name")
        if not self.initial.get("school") and len(schools) == 1:
            self.initial["school"] = schools[0].pk  # the DSL team's own school
