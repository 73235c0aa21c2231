from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from chronicle.fields import ModelChoiceField

from .models import Term, Vocabulary
from .selectors import configurable_schools, configures_every_school, terms_listed_for


class TermAdminForm(WagtailAdminModelForm):
    """Offers only the schools the user configures and, for a sub-category, the
    main categories they may edit."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if "school" in self.fields:
            self.fields["school"].queryset = configurable_schools(user)
            if configures_every_school(user):
                self.fields["school"].empty_label = _("Every school")
            else:  # only trust-wide configurators add to the shared lists
                self.fields["school"].required = True
                self.fields["school"].empty_label = None
        if "parent" in self.fields:
            mains = Term.objects.filter(
                vocabulary=Vocabulary.CATEGORY,
                parent__isnull=True,
                merged_into__isnull=True,
            ).exclude(pk=self.instance.pk)
            self.fields["parent"].queryset = terms_listed_for(user, mains)
            self.fields["parent"].empty_label = _("None: this is a main category")


class MergeForm(forms.Form):
    into = ModelChoiceField(
        label=_("Merge into"),
        queryset=Term.objects.none(),
        help_text=_(
            "Every record that used this term will use the one you choose. This term "
            "is then retired. This can't be undone."
        ),
    )

    def __init__(self, *args, source, user, **kwargs):
        super().__init__(*args, **kwargs)
        candidates = Term.objects.filter(
            Q(school__isnull=True) | Q(school=source.school_id),
            vocabulary=source.vocabulary,
            merged_into__isnull=True,
        ).exclude(pk=source.pk)
        self.fields["into"].queryset = terms_listed_for(
            user, candidates
        ).select_related("parent")
