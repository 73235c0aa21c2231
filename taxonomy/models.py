from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Vocabulary(models.TextChoices):
    CATEGORY = "category", _("Concern categories")
    AGENCY = "agency", _("Agencies")
    LOCATION = "location", _("Locations")
    OUTCOME = "outcome", _("Decisions and outcomes")
    PROFILE_FLAG = "profile_flag", _("Pupil profile flags")


class TermQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_school(self, school):
        """The shared set plus the school's own additions."""
        return self.filter(Q(school__isnull=True) | Q(school=school))


class Term(models.Model):
    """One entry of a vocabulary: a concern category, an agency, a location…

    Terms are never deleted once used: they are retired (hidden from new forms, kept on
    old records) or merged into another term (records re-pointed; the merge is in the
    audit log). Records keep a snapshot of the name they were made with, so renaming a
    term never rewrites history. `key` identifies the terms Chronicle ships, across
    renames; `external_code` carries a national code (e.g. a DfE children-in-need
    census factor) so reports survive renames and merges.
    """

    vocabulary = models.CharField(
        _("vocabulary"), max_length=20, choices=Vocabulary.choices, db_index=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("Leave empty for a main category; choose one for a sub-category."),
    )
    school = models.ForeignKey(
        "accounts.School",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="terms",
        help_text=_(
            "Leave empty to offer it at every school; choose a school to add it there "
            "only."
        ),
    )
    name = models.CharField(_("name"), max_length=120)
    definition = models.TextField(
        _("definition"),
        blank=True,
        help_text=_(
            "What this means, in a sentence or two, so that everyone chooses it the "
            "same way. Staff read it while choosing."
        ),
    )
    external_code = models.CharField(
        _("external code"),
        max_length=20,
        blank=True,
        help_text=_("Optional national code, e.g. a DfE children-in-need factor."),
    )
    key = models.SlugField(_("key"), max_length=60, blank=True, editable=False)
    sort_order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(
        _("in use"),
        default=True,
        help_text=_(
            "Untick to retire it: it disappears from new forms and stays on old "
            "records."
        ),
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_terms",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["vocabulary", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["vocabulary", "key"],
                condition=~Q(key=""),
                name="unique_shipped_term_key",
            )
        ]
        indexes = [models.Index(fields=["vocabulary", "is_active", "sort_order"])]

    def __str__(self):
        if self.parent_id:
            return f"{self.parent.name} › {self.name}"
        return self.name

    def clean(self):
        errors = {}
        if self.vocabulary == Vocabulary.CATEGORY and not self.definition.strip():
            errors["definition"] = _(
                "Categories need a definition: staff read it to choose the right one."
            )
        if self.parent_id:
            errors.update(self._parent_errors())
        if self._name_taken():
            errors["name"] = _("There is already a term with this name here.")
        if errors:
            raise ValidationError(errors)

    def _parent_errors(self):
        parent = self.parent
        if self.vocabulary != Vocabulary.CATEGORY:
            return {"parent": _("Only concern categories have sub-categories.")}
        if parent.vocabulary != self.vocabulary or parent.parent_id:
            return {"parent": _("Choose a main category (not a sub-category).")}
        if self.pk and (parent.pk == self.pk or self.children.exists()):
            return {"parent": _("A category with sub-categories can't become one.")}
        if parent.school_id and parent.school_id != self.school_id:
            return {
                "school": _("A sub-category belongs to its main category's school.")
            }
        return {}

    def _name_taken(self):
        siblings = Term.objects.filter(
            vocabulary=self.vocabulary,
            parent=self.parent_id,
            name__iexact=self.name.strip(),
            merged_into__isnull=True,
        ).exclude(pk=self.pk)
        if self.school_id:
            return siblings.for_school(self.school_id).exists()
        return siblings.exists()

    @property
    def status(self):
        if self.merged_into_id:
            return _("Merged into %(term)s") % {"term": self.merged_into}
        return _("In use") if self.is_active else _("Retired")


class VocabularyManager(models.Manager.from_queryset(TermQuerySet)):
    def __init__(self, vocabulary):
        super().__init__()
        self.vocabulary = vocabulary

    def get_queryset(self):
        return super().get_queryset().filter(vocabulary=self.vocabulary)


class VocabularyTerm(Term):
    """A proxy of Term that lists and creates one vocabulary's terms: one admin
    listing per vocabulary."""

    VOCABULARY = ""

    class Meta:
        proxy = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.vocabulary:
            self.vocabulary = self.VOCABULARY


def _vocabulary_proxy(vocabulary, name, verbose_name, verbose_name_plural):
    meta = type(
        "Meta",
        (),
        {
            "proxy": True,
            "verbose_name": verbose_name,
            "verbose_name_plural": verbose_name_plural,
        },
    )
    attrs = {
        "__module__": __name__,
        "Meta": meta,
        "VOCABULARY": vocabulary,
        "objects": VocabularyManager(vocabulary),
    }
    return type(name, (VocabularyTerm,), attrs)


ConcernCategory = _vocabulary_proxy(
    Vocabulary.CATEGORY,
    "ConcernCategory",
    _("concern category"),
    _("concern categories"),
)
Agency = _vocabulary_proxy(Vocabulary.AGENCY, "Agency", _("agency"), _("agencies"))
Location = _vocabulary_proxy(
    Vocabulary.LOCATION, "Location", _("location"), _("locations")
)
Outcome = _vocabulary_proxy(
    Vocabulary.OUTCOME, "Outcome", _("decision or outcome"), _("decisions and outcomes")
)
ProfileFlag = _vocabulary_proxy(
    Vocabulary.PROFILE_FLAG,
    "ProfileFlag",
    _("pupil profile flag"),
    _("pupil profile flags"),
)
VOCABULARY_MODELS = [ConcernCategory, Agency, Location, Outcome, ProfileFlag]
