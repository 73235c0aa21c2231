"""The core questions every concern form asks, which a DSL cannot remove."""

import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.forms import BaseForm

from accounts.models import School, User
from accounts.selectors import CASE_ROLES, schools_where
from chronicle.fields import ModelChoiceField, ModelMultipleChoiceField
from chronicle.forms import is_id
from records.body_map import BodyMapField
from records.body_map.services import ONE_BODY, body_map_pupil
from records.models import AdultConcernKind, AdultRole, Concern, InvolvementRole
from records.selectors import adults_nameable_by, pupils_reportable_by
from records.uploads import check_upload
from taxonomy.models import Term, Vocabulary

# The DSL's own questions are named `q_<clean_name>` (forms.builder), so a question
# can never shadow a core field.
QUESTION_PREFIX = "q_"
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by records.uploads."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [super(MultipleFileField, self).clean(f, initial) for f in files if f]
        if len(files) > settings.CHRONICLE_ATTACHMENT_MAX_FILES:
            raise ValidationError(
                _("Attach at most %(count)d files.")
                % {"count": settings.CHRONICLE_ATTACHMENT_MAX_FILES}
            )
        errors = []
        for upload in files:
            try:
                check_upload(upload)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return files


class TermChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class StaffChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


# The questions a form asks about the adult, when its concerns go to the case
# manager (KCSIE Part 4). Removed from the form otherwise.
ADULT_PREFIX = "adult_"
ADULT_FIELDS = (
    "adult_kind",
    "adult_role",
    "adult_person",
    "adult_name",
    "adult_job_title",
    "adult_relationship",
    "adult_school",
)


class CoreConcernForm(BaseForm):
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    occurred_on = forms.DateField(
        label=_("Date it happened (or was noticed)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    occurred_at = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Leave empty if you don't know."),
    )
    location = TermChoiceField(label=_("Where"), queryset=Term.objects.none())
    location_detail = forms.CharField(
        label=_("Where exactly"), required=False, max_length=255
    )
    what_happened = forms.CharField(label=_("What happened"), widget=forms.Textarea)
    child_voice = forms.CharField(
        label=_("What the child said, and how they seemed to feel"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Their own words, in quotation marks, and their thoughts and feelings."
        ),
    )
    child_voice_not_known = forms.CharField(
        label=_("If you couldn't record the child's voice, why not?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    primary_category = TermChoiceField(
        label=_("Main category"), queryset=Term.objects.none()
    )
    tags = ModelMultipleChoiceField(
        label=_("Also about (optional)"),
        queryset=Term.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    immediate_risk = forms.TypedChoiceField(
        label=_("Is a child at immediate risk of harm?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=_("If yes, also tell a DSL in person now."),
    )
    actions_taken = forms.CharField(
        label=_("What have you already done?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: who you told, first aid, contacting parents."),
    )

    body_map = BodyMapField(label=_("Body map: where you saw an injury (optional)"))

    attachments = MultipleFileField(
        label=_("Attach files (optional)"),
        required=False,
        help_text=_(
            "Photos of notes, a scan of a paper form. PDF, JPG, PNG, Word or text, up "
            "to 10 MB each."
        ),
    )
    adult_school = ModelChoiceField(
        label=_("Which school is this about?"),
        queryset=School.objects.none(),
        required=False,
        help_text=_("Needed only when no child is named: the children's school."),
    )
    adult_kind = forms.ChoiceField(
        label=_("Is this a low-level concern or an allegation?"),
        choices=AdultConcernKind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "An allegation: the adult may have harmed a child, committed an offence "
            "against or related to a child, or behaved in a way that suggests they "
            "may pose a risk or be unsuitable to work with children. Anything else "
            "about their conduct, however small, is a low-level concern."
        ),
    )
    adult_role = forms.ChoiceField(
        label=_("Who is the adult?"), choices=AdultRole.choices
    )
    adult_person = StaffChoiceField(
        label=_("The member of staff"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("For a member of staff: choose them from the school's people."),
    )
    adult_name = forms.CharField(
        label=_("Their name"),
        required=False,
        max_length=200,
        help_text=_("For a volunteer, contractor, visitor or anyone not listed."),
    )
    adult_job_title = forms.CharField(
        label=_("Their job title, or what they do (optional)"),
        required=False,
        max_length=200,
    )
    adult_relationship = forms.CharField(
        label=_("Your relationship to them"),
        max_length=200,
        help_text=_("For example: line manager, colleague, parent of a pupil."),
    )
    reported_by_name = forms.CharField(
        label=_("Recording a paper report? Who reported it"),
        required=False,
        max_length=200,
        help_text=_(
            "For DSLs recording a concern for someone without access: their name and "
            "role. Attach the scan of their form above. Leave empty for your own "
            "report."
        ),
    )

    def __init__(self, *args, schools, draft=None, **kwargs):
        if draft:
            kwargs["initial"] = {
                name: values if len(values) > 1 or name == "tags" else values[0]
                for name, values in draft.items()
                if values and name not in ("pupil", "pupil_role", "submission_key")
            }
        super().__init__(*args, **kwargs)
        if draft:
            self.initial["body_map"] = self.fields[
                "body_map"
            ].widget.value_from_datadict(MultiValueDict(draft), {}, "body_map")
        self.schools = schools
        if not schools_where(self.user, *CASE_ROLES).exists():
            del self.fields["reported_by_name"]
        self.fields["submission_key"].initial = self.initial.get(
            "submission_key", uuid.uuid4()
        )
        self.fields["what_happened"].help_text = self.page.what_happened_prompt
        if self.names_an_adult:
            self.fields["adult_person"].queryset = adults_nameable_by(self.user)
        else:
            for name in ADULT_FIELDS:
                del self.fields[name]
        if self.names_an_adult and len(self.school_ids) > 1:
            self.fields["adult_school"].queryset = schools
        elif "adult_school" in self.fields:
            del self.fields["adult_school"]
        offered = Term.objects.active().filter(
            Q(school__isnull=True) | Q(school__in=schools)
        )
        self.fields["location"].queryset = offered.filter(
            vocabulary=Vocabulary.LOCATION
        )
        categories = offered.filter(vocabulary=Vocabulary.CATEGORY).select_related(
            "parent"
        )
        self.fields["primary_category"].queryset = categories
        self.fields["tags"].queryset = categories
        if self.is_bound:
            self.involvements = self._rows(
                self.data.getlist("pupil"), self.data.getlist("pupil_role")
            )
        else:
            draft = draft or {}
            self.involvements = self._rows(
                draft.get("pupil", []), draft.get("pupil_role", [])
            )

    # -- children involved: rows of (pupil id, role) posted as parallel lists --------

    @cached_property
    def school_ids(self):
        """Ids of the schools whose pupils this form takes (read when needed)."""
        return set(self.schools.values_list("pk", flat=True))

    def _rows(self, ids, roles):
        """A child the user may report on but who is not at this form's school
        (a colleague working at two schools) is kept apart, so the form can say
        why it refuses them (_clean_involvements)."""
        valid = [int(pk) for pk in ids if is_id(pk)]
        reportable = pupils_reportable_by(self.user).in_bulk(valid) if valid else {}
        pupils = {
            pk: pupil
            for pk, pupil in reportable.items()
            if pupil.school_id in self.school_ids
        }
        self.elsewhere = [p for pk, p in reportable.items() if pk not in pupils]
        rows = [
            {
                "pupil": pupils.get(int(pk)) if is_id(pk) else None,
                "pupil_id": pk,
                "role": role,
            }
            for pk, role in zip(ids, roles, strict=False)
        ]
        self.rows_mismatched = len(ids) != len(roles)
        return rows

    def clean(self):
        cleaned = super().clean()
        self._clean_involvements()
        self._clean_body_map(cleaned)
        self._clean_child_voice(cleaned)
        if self.names_an_adult:
            self._clean_adult(cleaned)
        when = cleaned.get("occurred_on")
        if when and when > timezone.localdate():
            self.add_error("occurred_on", _("The date can't be in the future."))
        return cleaned

    def _clean_involvements(self):
        roles = set(InvolvementRole.values)
        rows = self.involvements
        if self.rows_mismatched:
            self.add_error(None, _("Choose how each child is involved."))
        elif not rows and not self.names_an_adult:
            self.add_error(None, _("Name at least one child: search by name or UPN."))
        elif not rows:
            return  # a concern about an adult need not involve a child
        elif self.elsewhere:
            self.add_error(
                None,
                _(
                    "%(child)s is not a pupil of %(school)s, whose form this is. "
                    "Report it on a form of the child's school."
                )
                % {
                    "child": self.elsewhere[0].display_name,
                    "school": ", ".join(str(school) for school in self.schools),
                },
            )
        elif any(row["pupil"] is None for row in rows):
            self.add_error(
                None, _("One of the children can't be found at your school.")
            )
        elif any(row["role"] not in roles for row in rows):
            self.add_error(None, _("Choose how each child is involved."))
        elif len({row["pupil"].school_id for row in rows}) > 1:
            self.add_error(None, _("All the children must be at the same school."))
        elif len({row["pupil"].pk for row in rows}) != len(rows):
            self.add_error(None, _("Each child can be named only once."))
        elif (self.cleaned_data.get("reported_by_name") or "").strip() and not (
            schools_where(self.user, *CASE_ROLES)
            .filter(pk=rows[0]["pupil"].school_id)
            .exists()
        ):
            self.add_error(
                "reported_by_name",
                _("Only the school's DSLs can record a report on someone's behalf."),
            )

    def _clean_body_map(self, cleaned):
        """Marks are on one child's body: the child the concern is about (or the
        only child named), so they go on that child's file and no other."""
        if not cleaned.get("body_map"):
            return
        rows = [(row["pupil"], row["role"]) for row in self.involvements]
        if rows and body_map_pupil(rows) is None:
            self.add_error("body_map", ONE_BODY)

    def _clean_child_voice(self, cleaned):
        if self.names_an_adult and not self.involvements:
            return  # no child named: no child's voice to record
        if (
            not (cleaned.get("child_voice") or "").strip()
            and not (cleaned.get("child_voice_not_known") or "").strip()
        ):
            self.add_error(
                "child_voice",
                _(
                    "Record what the child said and how they seemed, or say below why "
                    "you couldn't."
                ),
            )

    @property
    def names_an_adult(self):
        """Whether this form's concerns go to the case manager, about an adult."""
        return self.page.send_to == Concern.Route.HEAD

    def _clean_adult(self, cleaned):
        person = cleaned.get("adult_person")
        name = (cleaned.get("adult_name") or "").strip()
        if cleaned.get("adult_role") == AdultRole.STAFF and person is None:
            self.add_error(
                "adult_person", _("Choose the member of staff from the list.")
            )
        elif person is None and not name:
            self.add_error("adult_name", _("Give the adult's name."))
        school = self.concern_school()
        if not self.involvements and school is None:
            self.add_error(
                "adult_school" if "adult_school" in self.fields else None,
                _("Name a child, or choose the school this is about."),
            )
        elif person is not None and school is not None:
            if not person.memberships.filter(school=school).exists():
                self.add_error(
                    "adult_person",
                    _("Choose a member of staff at %(school)s.") % {"school": school},
                )

    def concern_school(self):
        """The school the concern belongs to: the children's, or, when a concern
        about an adult names none, the one chosen (or the form's only school)."""
        rows = [row for row in self.involvements if row["pupil"]]
        if rows:
            return rows[0]["pupil"].school
        chosen = (getattr(self, "cleaned_data", None) or {}).get("adult_school")
        if chosen is not None:
            return chosen
        if len(self.school_ids) == 1:
            return self.schools.first()
        return None

    def about_adult(self):
        """What the intake stores about the adult (records.ConcernAboutAdult), or
        None for a form whose concerns go to the DSL team."""
        if not self.names_an_adult:
            return None
        data = self.cleaned_data
        return {
            "kind": data["adult_kind"],
            "role": data["adult_role"],
            "person": data["adult_person"],
            "name": (data["adult_name"] or "").strip(),
            "job_title": data["adult_job_title"],
            "reporter_relationship": data["adult_relationship"],
        }

    def adult_fields(self):
        return [self[name] for name in ADULT_FIELDS if name in self.fields]

    def add_service_errors(self, error):
        """Show a ValidationError raised by the service next to its field."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)

    # -- what the template and the service read ------------------------------------

    def question_fields(self):
        return [self[name] for name in self.fields if name.startswith(QUESTION_PREFIX)]

    def involvement_roles(self):
        return InvolvementRole.choices

    def category_groups(self):
        """[(main category, [sub-categories])] in the DSL's order, for the chooser
        that shows each definition beside its name."""
        terms = list(self.fields["primary_category"].queryset)
        children = {}
        for term in terms:
            if term.parent_id:
                children.setdefault(term.parent_id, []).append(term)
        return [(t, children.get(t.pk, [])) for t in terms if not t.parent_id]

    def chosen_category(self):
        value = self["primary_category"].value()
        return str(value) if value else ""
