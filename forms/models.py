"""Concern forms the DSL builds in the Wagtail page editor.

A ConcernFormPage always asks the core questions good records need
(forms.forms.CoreConcernForm), then its own questions (ConcernFormField). Submissions
become records.Concern via forms.services: never Wagtail FormSubmissions, which page
editors can read and export.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, TitleFieldPanel
from wagtail.contrib.forms.models import (
    AbstractForm,
    AbstractFormField,
)
from wagtail.fields import RichTextField
from wagtail.models import Page, PageManager, PageQuerySet

from accounts.models import Role, School
from accounts.selectors import Viewer, schools_where
from records.models import Concern

from . import services
from .builder import ConcernFormBuilder
from .forms import is_id

QUESTION_TYPES = [
    ("singleline", _("Short text")),
    ("multiline", _("Long text")),
    ("radio", _("Choice (one)")),
    ("dropdown", _("Choice (drop-down)")),
    ("checkboxes", _("Choices (several)")),
    ("yesno", _("Yes / no")),
    ("date", _("Date")),
    ("time", _("Time")),
    ("number", _("Number")),
]


class FormSectionQuerySet(PageQuerySet):
    def offered_to(self, user: Viewer) -> "FormSectionQuerySet":
        """Sections whose forms the user may fill in: their schools' own, their
        trusts' shared ones, and the one shared by every school."""
        schools = schools_where(user)
        return self.filter(
            models.Q(school__in=schools)
            | models.Q(school__isnull=True, trust__in=schools.values("trust"))
            | (
                models.Q(school__isnull=True, trust__isnull=True)
                & models.Exists(schools)
            )
        )

    def editable_by(self, user: Viewer) -> "FormSectionQuerySet":
        """Sections whose forms the user may add, edit, publish and delete: the
        schools they configure, and a shared section only if they configure every
        school that shares it (as with the shared categories)."""
        mine = set(schools_where(user, Role.CONFIGURATOR).values_list("pk", flat=True))
        if not mine:
            return self.none()
        schools_by_trust: dict[int | None, set[int]] = {}
        for trust_id, school_id in School.objects.filter(is_active=True).values_list(
            "trust", "pk"
        ):
            schools_by_trust.setdefault(trust_id, set()).add(school_id)
        trusts = [
            trust_id
            for trust_id, schools in schools_by_trust.items()
            if trust_id is not None and schools <= mine
        ]
        editable = models.Q(school__in=mine) | models.Q(
            school__isnull=True, trust__in=trusts
        )
        if set().union(*schools_by_trust.values()) <= mine:
            editable |= models.Q(school__isnull=True, trust__isnull=True)
        return self.filter(editable)


class FormSection(Page):
    """A folder of concern forms in the page tree: one school's, or the forms a
    trust's schools share (`school` empty). Configurators add and edit forms only
    in the sections of the schools they configure (forms.sections.permissions);
    staff are offered the forms of their schools' sections and of their trust's
    shared one (forms.selectors). Sections are made by Chronicle
    (forms.sections.services), never in the editor (forms.wagtail_hooks refuses
    editing, unpublishing, moving or deleting one).

    A shared section with no trust either is shared by every school on the
    service: where forms made before sections existed go when the schools are not
    all in one trust."""

    school = models.OneToOneField(
        "accounts.School",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="form_section",
    )
    trust = models.OneToOneField(
        "accounts.Trust",
        verbose_name=_("trust"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="form_section",
    )

    objects = PageManager.from_queryset(FormSectionQuerySet)()

    content_panels = [
        TitleFieldPanel("title", placeholder=_("Name of this group of forms*")),
    ]
    promote_panels = []
    settings_panels = []
    parent_page_types = []
    subpage_types = ["concern_forms.ConcernFormPage"]

    class Meta:
        verbose_name = _("group of concern forms")
        verbose_name_plural = _("groups of concern forms")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(school__isnull=True) | models.Q(trust__isnull=True),
                name="form_section_school_or_trust",
            ),
        ]

    @property
    def is_shared(self) -> bool:
        return self.school_id is None

    def serve(self, request, *args, **kwargs):
        # A folder, not a page: staff find forms on their dashboard.
        raise Http404


class ConcernFormField(AbstractFormField):
    """One of the form's own questions, after the core ones."""

    page = ParentalKey(
        "ConcernFormPage", on_delete=models.CASCADE, related_name="form_fields"
    )
    field_type = models.CharField(
        verbose_name=_("type of answer"), max_length=16, choices=QUESTION_TYPES
    )
    field_type.required_on_save = True


class ConcernFormPage(AbstractForm):
    """A concern form: guidance, the core questions, and the DSL's own questions."""

    form_builder = ConcernFormBuilder

    guidance = RichTextField(
        _("guidance"),
        blank=True,
        help_text=_("Shown above the form: when to use it, what to do first."),
    )
    # Not "route": Page.route() is how Wagtail finds the page for a URL.
    send_to = models.CharField(
        _("goes to"),
        max_length=20,
        choices=Concern.Route.choices,
        default=Concern.Route.DSL_TEAM,
        help_text=_(
            "Concerns about an adult go to the headteacher / manager, not the DSL team."
        ),
    )
    what_happened_prompt = models.TextField(
        _("prompt for 'what happened'"),
        default=_(
            "Record the facts: what you saw and heard, when and where, who was there. "
            "Use the child's own words in quotation marks. Don't interpret or "
            "investigate."
        ),
    )
    confirmation = RichTextField(
        _("confirmation message"),
        blank=True,
        help_text=_("Shown after a concern is submitted."),
    )

    content_panels = [
        TitleFieldPanel(
            "title",
            placeholder=_("Name of the form*"),
            help_text=_("What staff see on their dashboard, e.g. “General concern”."),
        ),
        FieldPanel("guidance"),
        FieldPanel("send_to"),
        FieldPanel("what_happened_prompt"),
        InlinePanel("form_fields", label=_("Questions after the core questions")),
        FieldPanel("confirmation"),
    ]
    # A concern form is seen only by signed-in staff: nothing to promote to search
    # engines or site menus; its web address follows from its name.
    promote_panels = []
    parent_page_types = ["concern_forms.FormSection"]
    subpage_types = []

    class Meta:
        verbose_name = _("concern form")
        verbose_name_plural = _("concern forms")

    def is_offered_to(self, user: Viewer) -> bool:
        """Whether the user may fill in this form (live or retired): it is in a
        section of one of their schools, or shared with one of them."""
        return (
            FormSection.objects.offered_to(user)
            .filter(path=self.path[: -self.steplen])
            .exists()
        )

    def schools_for(self, user: Viewer) -> QuerySet[School]:
        """The schools whose pupils this form takes from this user: its own
        school's form takes that school's pupils only; a trust's shared form, the
        user's schools of that trust; a form shared by every school, any of the
        user's schools. Lazy (subqueries): asking costs no query."""
        section = FormSection.objects.filter(path=self.path[: -self.steplen])
        shared = section.filter(school__isnull=True)
        return schools_where(user).filter(
            models.Q(pk__in=section.values("school"))
            | models.Q(trust__in=shared.values("trust"))
            | models.Q(models.Exists(shared.filter(trust__isnull=True)))
        )

    def get_form(self, *args, **kwargs):
        kwargs.setdefault("schools", self.schools_for(kwargs["user"]))
        return super().get_form(*args, **kwargs)

    def serve(self, request, *args, **kwargs):
        """Signed-in staff with a role only; two-factor is enforced by middleware.
        Another school's form is not found, as if it did not exist."""
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not schools_where(request.user).exists():
            raise PermissionDenied
        if not self.is_offered_to(request.user):
            raise Http404
        submit_url = reverse("concern_forms:form", args=[self.pk])
        draft = ConcernDraft.objects.filter(user=request.user, page=self).first()
        form = self.get_form(
            request.POST or None,
            request.FILES or None,
            page=self,
            user=request.user,
            draft=draft.data if draft and request.method == "GET" else None,
        )
        if request.method == "POST" and form.is_valid():
            try:
                concern = self.process_form_submission(form)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return redirect(f"{submit_url}?submitted={concern.pk}")
        submitted = self._submitted(request)
        context = self.get_context(request)
        context.update(
            {
                "form": form,
                "submitted": submitted,
                "submit_url": submit_url,
                "draft": draft,
                "draft_url": reverse("concern_forms:draft", args=[self.pk]),
            }
        )
        template = self.landing_page_template if submitted else self.template
        return TemplateResponse(request, template, context)

    def _submitted(self, request):
        pk = request.GET.get("submitted", "")
        if request.method != "GET" or not is_id(pk):
            return None
        return Concern.objects.filter(pk=pk, recorded_by=request.user).first()

    def process_form_submission(self, form):
        return services.concern_submit_from_form(page=self, form=form)


class ConcernDraft(models.Model):
    """What someone has typed into a concern form so far, saved as they type, so a
    network blip, a closed tab or a form retired mid-edit loses nothing. Only its
    author reads it; it is deleted when the concern is sent."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="concern_drafts"
    )
    page = models.ForeignKey(
        ConcernFormPage, on_delete=models.CASCADE, related_name="drafts"
    )
    data = models.JSONField(_("what was typed"), default=dict)
    saved_at = models.DateTimeField(_("saved at"), auto_now=True)

    class Meta:
        verbose_name = _("concern draft")
        verbose_name_plural = _("concern drafts")
        constraints = [
            models.UniqueConstraint(fields=["user", "page"], name="one_draft_per_form")
        ]

    def __str__(self):
        return f"Draft of {self.page_id} by {self.user_id}"
