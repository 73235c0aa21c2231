"""Forms for each step. They validate input and hand it to a service; the rules about
reasons (records.validators) are applied again in the services, so an API or a
script cannot skip them."""

import uuid

import django_filters
import django_filters.fields
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chronicle.fields import ModelChoiceField, ModelMultipleChoiceField
from records.models import DecisionOutcome, InvolvementRole, Referral, RiskLevel
from records.validators import validate_rationale
from taxonomy.models import Vocabulary
from taxonomy.selectors import terms_offered

from .models import CaseTask, CaseworkSettings, PatternRule
from .services import casework_settings_version
from .transfer_forms import ConversationForm
from .transfers import conversation_version

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RationaleField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, *args, min_characters=40, min_words=6, **kwargs):
        self.min_characters, self.min_words = min_characters, min_words
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value or self.required:
            validate_rationale(
                value, min_characters=self.min_characters, min_words=self.min_words
            )


class TermChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _grouped_categories(school):
    from taxonomy.selectors import category_tree

    choices = []
    for main in category_tree(school=school):
        if not main.offered:
            choices.append((main.pk, main.name))
            continue
        options = [(main.pk, _("%(name)s (in general)") % {"name": main.name})]
        options += [(sub.pk, sub.name) for sub in main.offered]
        choices.append((main.name, options))
    return choices


class TriageForm(forms.Form):
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

    def role_fields(self):
        return [self[name] for name in self.fields if name.startswith("role_")]

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        roles = {
            int(name.removeprefix("role_")): data.pop(name)
            for name in list(data)
            if name.startswith("role_")
        }
        return {**data, "tags": list(data["tags"]), "roles": roles}


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    agencies = ModelMultipleChoiceField(
        label=_("Refer to"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One follow-up task is opened for each agency."),
    )
    rationale = RationaleField(
        label=_("Rationale"),
        help_text=_(
            "Why this decision: what you considered, the child's voice, the "
            "thresholds you applied. “NFA” on its own is not a reason."
        ),
    )
    consulted = forms.CharField(
        label=_("Who was consulted"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    review_on = forms.DateField(
        label=_("Review date"),
        required=False,
        widget=DATE,
        help_text=_("Required unless the decision is no further action."),
    )

    def __init__(self, *args, concern, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = terms_offered(
            Vocabulary.AGENCY, school=concern.school
        )

    def clean(self):
        data = super().clean()
        outcome, agencies = data.get("outcome"), data.get("agencies")
        if outcome == DecisionOutcome.REFERRAL and not agencies:
            self.add_error("agencies", _("Choose the agencies you are referring to."))
        if outcome and outcome != DecisionOutcome.REFERRAL and agencies:
            self.add_error(
                "agencies",
                _("Agencies go with the decision “Refer to other agencies”."),
            )
        review_on = data.get("review_on")
        if outcome and outcome != DecisionOutcome.NFA and not review_on:
            self.add_error("review_on", _("Set a date to review this decision."))
        if review_on and review_on <= timezone.localdate():
            self.add_error("review_on", _("The review date must be after today."))
        return data

    def service_kwargs(self):
        return {**self.cleaned_data, "agencies": list(self.cleaned_data["agencies"])}


class ReferralForm(forms.ModelForm):
    """Contact details can be saved while waiting; the response completes the task."""

    class Meta:
        model = Referral
        fields = [
            "contacted_on",
            "method",
            "contact_name",
            "reference",
            "responded_on",
            "agency_outcome",
            "response",
            "agency_rationale",
            "disagreement",
        ]
        widgets = {
            "contacted_on": DATE,
            "responded_on": DATE,
            "response": forms.Textarea(attrs={"rows": 3}),
            "agency_rationale": forms.Textarea(attrs={"rows": 3}),
            "disagreement": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "agency_rationale": _(
                "Required when the agency takes no further action: ask them why."
            ),
        }

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in ("contacted_on", "responded_on"):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("This date is in the future."))
        return data

    def service_kwargs(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ClosureForm(forms.Form):
    outcome_summary = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What happened as a result: for the child, and from agencies."),
    )
    rationale = RationaleField(label=_("Why it can close"))
    review_on = forms.DateField(
        label=_("Review on"),
        required=False,
        widget=DATE,
        help_text=_("The concern reopens for a new decision on this date."),
    )
    needs_sign_off = forms.BooleanField(
        label=_("Ask a second DSL to sign off the closure"), required=False
    )

    def __init__(self, *args, sign_off_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        if sign_off_required:
            field = self.fields["needs_sign_off"]
            field.initial, field.disabled = True, True
            field.help_text = _(
                "Your school's casework settings require a second DSL to sign off "
                "this closure."
            )

    def clean_review_on(self):
        review_on = self.cleaned_data.get("review_on")
        if review_on and review_on <= timezone.localdate():
            raise ValidationError(_("The review date must be after today."))
        return review_on


class SignOffForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Your sign-off"),
        choices=[
            ("agree", _("I have read the record and agree this concern can close")),
            ("send_back", _("Send it back to closure: it is not ready to close")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you send it back: say what is missing."),
    )

    def clean(self):
        data = super().clean()
        if data.get("verdict") == "send_back" and not data.get("note", "").strip():
            self.add_error("note", _("Say why it is not ready to close."))
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen it"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ActionForm(forms.Form):
    description = forms.CharField(label=_("What needs doing"), max_length=300)
    assigned_to = ModelChoiceField(
        label=_("Who"), queryset=None, empty_label=_("Choose a person")
    )
    due_on = forms.DateField(label=_("By"), widget=DATE)
    # One action however often the button is pressed.
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = people
        self.fields["submission_key"].initial = uuid.uuid4()

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise ValidationError(_("The date is in the past."))
        return due_on


class ActionDoneForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReassignForm(forms.Form):
    to = ModelChoiceField(
        label=_("Hand to"), queryset=None, empty_label=_("Choose a colleague")
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = people


STEP_CHOICES = [
    ("triage", _("Triage")),
    ("decide", _("Decision")),
    ("follow_up", _("Referral follow-up")),
    ("close", _("Closure")),
    ("sign_off", _("Sign-off")),
    ("do_action", _("Action")),
    ("review_pattern", _("Pattern review")),
    ("send_file", _("Send a file (transfer out)")),
    ("confirm_receipt", _("Receipt and handover (transfer out)")),
    ("ask_expected", _("New pupil: is a file expected?")),
    ("receive_file", _("Receive and check a file (transfer in)")),
]


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
        from .flows import ActionFlow, ConcernFlow
        from .patterns import PatternFlow
        from .transfers import TransferInFlow, TransferOutFlow

        flow = {
            "do_action": ActionFlow,
            "review_pattern": PatternFlow,
            "send_file": TransferOutFlow,
            "confirm_receipt": TransferOutFlow,
            "ask_expected": TransferInFlow,
            "receive_file": TransferInFlow,
        }.get(value, ConcernFlow)
        node = getattr(flow.instance, value, None)
        return queryset.filter(flow_task=node) if node else queryset.none()

    def filter_category(self, queryset, name, value):
        """As reported or as triaged, main category or any of its sub-categories:
        the DSL's correction counts as much as the reporter's choice."""
        if not value:
            return queryset
        terms = Q(pk=value.pk) | Q(parent=value.pk)
        from taxonomy.models import Term

        chosen = Term.objects.filter(terms)
        return queryset.filter(
            Q(concern__primary_category__in=chosen)
            | Q(concern__triages__primary_category__in=chosen)
        ).distinct()

    def only_true(self, queryset, name, value):
        return queryset.filter(urgent=True) if value else queryset

    def only_overdue(self, queryset, name, value):
        if not value:
            return queryset
        from .selectors import overdue

        return overdue(queryset)


class VersionedForm(forms.Form):
    """Carries which save of the record the page was loaded from (`loaded`), so
    the service can refuse a stale save (services.EditConflict) instead of
    letting it overwrite a colleague's."""

    loaded = forms.CharField(
        widget=forms.HiddenInput,
        required=False,  # a page without it is refused by the save, clearly
    )

    def refuse_stale(self, version, message):
        """Refuse a bound form's save with `message`, keeping what was typed and
        carrying the version stored now: saving again is then a deliberate choice
        to replace it."""
        self.data = self.data.copy()
        self.data[self.add_prefix("loaded")] = version
        self.add_error(None, message)


class CaseworkSettingsForm(VersionedForm, forms.ModelForm):
    """Carries which save of the settings the page was loaded from (`loaded`), so
    that a DSL saving a stale page is told a colleague changed them, not left to
    overwrite (services.casework_settings_save checks it, under a lock)."""

    class Meta:
        model = CaseworkSettings
        fields = ["closure_sign_off"]
        widgets = {"closure_sign_off": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded"].initial = casework_settings_version(self.instance)

    def refuse(self, conflict):
        """Nothing was saved (services.EditConflict): keep the choice made, say
        who changed the settings, when, and what they are now."""
        stored = conflict.stored.get_closure_sign_off_display()
        if conflict.missing:
            message = SETTINGS_UNKNOWN % {"stored": stored}
        else:
            message = SETTINGS_STALE % {"stored": stored, "by": _by(conflict)}
        self.refuse_stale(conflict.version, message)


SETTINGS_STALE = _(
    "A colleague saved these settings while you were editing, so nothing was "
    "saved. What is stored now: “%(stored)s”, saved by %(by)s. Your choice is "
    "still selected below: save again to replace theirs with it, or reload the "
    "page to keep theirs."
)
SETTINGS_UNKNOWN = _(
    "Nothing was saved: this page didn't say which version of the settings you "
    "started from, so a colleague's change could have been lost. What is stored "
    "now: “%(stored)s”. Your choice is still selected below: check it, then save "
    "again."
)


class ConversationEditForm(VersionedForm, ConversationForm):
    """The handover conversation (transfer_forms.ConversationForm), filled from
    what is stored and carrying which record that was (`loaded`), so that a DSL
    whose colleague recorded it meanwhile is told, not left to overwrite it
    (transfers.conversation_record checks it, under a lock)."""

    def __init__(self, *args, transfer, **kwargs):
        initial = {
            "with_whom": transfer.conversation_with,
            "on": transfer.conversation_on,
            "summary": transfer.conversation_summary,
            "not_needed": transfer.conversation_not_needed,
            "loaded": conversation_version(transfer),
        }
        super().__init__(*args, initial=initial, **kwargs)

    def refuse(self, conflict):
        """Nothing was saved (services.EditConflict): keep what was typed, say who
        recorded the conversation, when, and what is recorded now."""
        stored = conflict.stored
        if stored.conversation_summary:
            recorded = gettext("spoke to %(whom)s on %(on)s: “%(summary)s”") % {
                "whom": stored.conversation_with,
                "on": format_date(stored.conversation_on, "j F Y"),
                "summary": stored.conversation_summary,
            }
        else:
            recorded = gettext("no conversation needed: “%(why)s”") % {
                "why": stored.conversation_not_needed
            }
        if conflict.missing:
            message = CONVERSATION_UNKNOWN % {"stored": recorded}
        else:
            message = CONVERSATION_STALE % {"stored": recorded, "by": _by(conflict)}
        self.refuse_stale(conflict.version, message)


CONVERSATION_STALE = _(
    "This conversation was recorded by %(by)s, after you opened the page. What is "
    "recorded now: %(stored)s. What you typed is still in the form below: bring in "
    "anything of theirs you want to keep, then save again to replace it with yours."
)
CONVERSATION_UNKNOWN = _(
    "This page didn't say which record of the conversation you started from, so a "
    "colleague's could have been lost. What is recorded now: %(stored)s. What you "
    "typed is still in the form below: check it, then save again."
)


def _by(conflict):
    """Who saved what is stored now and when, as far as the record and the audit
    log say: "Amira Khan at 10:02 on 3 May 2025"."""
    who = conflict.who or gettext("a colleague")
    if not conflict.when:
        return str(who)
    when = timezone.localtime(conflict.when)
    return gettext("%(who)s at %(time)s on %(date)s") % {
        "who": who,
        "time": format_date(when, "H:i"),
        "date": format_date(when, "j F Y"),
    }


class PatternRuleForm(forms.ModelForm):
    """A threshold: N concerns about one child within M days, of one category or
    any. Only main categories are offered: each includes its sub-categories."""

    class Meta:
        model = PatternRule
        fields = ["min_concerns", "within_days", "category"]

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = school
        category = self.fields["category"]
        category.queryset = terms_offered(Vocabulary.CATEGORY, school=school).filter(
            parent__isnull=True
        )
        category.empty_label = _("Any category")
        category.label_from_instance = lambda term: term.name
        self.fields["min_concerns"].initial = 3
        self.fields["within_days"].initial = 30


class PatternReviewForm(forms.Form):
    conclusion = RationaleField(
        label=_("What the pattern shows and what you will do"),
        help_text=_(
            "Read the linked concerns together. Say what they show about the child, "
            "and what follows: a new decision, an early help assessment, a referral, "
            "or why no more is needed now."
        ),
    )
