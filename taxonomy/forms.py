from django import forms
from django.db.models import Q
from django.utils.dateformat import format as format_date
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from chronicle.fields import ModelChoiceField
from chronicle.forms import StaleEditRefusal

from .models import Term, Vocabulary
from .selectors import configurable_schools, configures_every_school, terms_listed_for
from .services import term_version

LOADED_VERSION = "loaded_version"


class TermAdminForm(StaleEditRefusal, WagtailAdminModelForm):
    """Offers only the schools the user configures and, for a sub-category, the
    main categories they may edit.

    An edit carries which save of the term the page was loaded from (a hidden
    field), so that a colleague's save in the meantime is reported, not overwritten
    (taxonomy.views.TermEditView)."""

    version_field = LOADED_VERSION

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
        if self.instance.pk:
            self.fields[LOADED_VERSION] = forms.CharField(
                widget=forms.HiddenInput,
                required=False,  # a page without it is refused by the view, clearly
                initial=term_version(self.instance),
            )

    def has_edits(self):
        return any(name != LOADED_VERSION for name in self.changed_data)

    def refuse(self, *, stored, last_change):
        """Nothing was saved because the term changed after this page was loaded.
        Keep what was typed, say who changed it and when, and carry the stored
        version (chronicle.forms.StaleEditRefusal): saving again is then a
        deliberate choice to replace theirs."""
        if not self.loaded_version():
            self.refuse_stale(term_version(stored), STALE_UNKNOWN)
            return
        who = last_change.actor if last_change else None
        when = localtime(stored.updated_at)
        self.refuse_stale(
            term_version(stored),
            STALE
            % {
                "who": who or gettext("a colleague"),
                "time": format_date(when, "H:i"),
                "date": format_date(when, "j F Y"),
            },
        )

    def stored_values(self, stored):
        """What is stored now, field by field as the form labels them, marking
        where it differs from what was typed."""
        rows = []
        for name, field in self.fields.items():
            if name == LOADED_VERSION:
                continue
            value = getattr(stored, name)
            typed = self.cleaned_data.get(name, value)
            rows.append(
                {
                    "label": field.label,
                    "value": _shown(field, value),
                    "differs": typed != value,
                }
            )
        return rows


def _shown(field, value):
    if isinstance(field, forms.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if value in (None, ""):
        return getattr(field, "empty_label", None) or gettext("(empty)")
    return str(value)


STALE = _(
    "Nothing was saved: %(who)s saved this term at %(time)s on %(date)s, after you "
    "opened it. What is stored now is shown below, with your changes still in the "
    "form. Bring in anything of theirs you want to keep, then save again to replace "
    "it with yours."
)
STALE_UNKNOWN = _(
    "Nothing was saved: this page didn't say which version of the term you started "
    "from, so a colleague's changes could have been lost. What is stored now is "
    "shown below, with your changes still in the form. Check them, then save again."
)


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
