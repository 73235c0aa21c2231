from django import forms
from django.utils.translation import gettext_lazy as _

from taxonomy.models import Vocabulary
from taxonomy.selectors import terms_offered

from ..models import PatternRule
from .base import RationaleField, StepForm


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


class PatternReviewForm(StepForm):
    conclusion = RationaleField(
        label=_("What the pattern shows and what you will do"),
        help_text=_(
            "Read the linked concerns together. Say what they show about the child, "
            "and what follows: a new decision, an early help assessment, a referral, "
            "or why no more is needed now."
        ),
    )
