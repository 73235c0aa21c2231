"""A published concern form and a complete, valid set of answers to it."""

import uuid

import pytest
from django.utils import timezone

from forms.models import ConcernFormField, ConcernFormPage
from forms.sections.services import form_section_shared
from records.models import InvolvementRole
from taxonomy.models import Vocabulary

from ..builders import term
from ..factories import PupilFactory


@pytest.fixture
def form_page(school):
    """The trust's shared "General concern": every school of the trust sees it."""
    page = ConcernFormPage(
        title="General concern",
        slug="general-concern",
        form_fields=[
            ConcernFormField(label="Has anyone else been told?", field_type="yesno")
        ],
    )
    form_section_shared(trust=school.trust).add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def answers(school):
    """A complete, valid submission naming two children with different roles."""
    victim, other = PupilFactory(school=school), PupilFactory(school=school)
    return {
        "submission_key": str(uuid.uuid4()),
        "pupil": [victim.pk, other.pk],
        "pupil_role": [InvolvementRole.SUBJECT, InvolvementRole.ALLEGED_PERPETRATOR],
        "occurred_on": timezone.localdate().isoformat(),
        "occurred_at": "10:15",
        "location": term(Vocabulary.LOCATION, "playground").pk,
        "location_detail": "By the climbing frame",
        "what_happened": "Ava said 'he pushed me off'. Scrape on her left knee.",
        "child_voice": "'I don't want to go outside at lunch any more.' Tearful.",
        "primary_category": term(Vocabulary.CATEGORY, "bullying").pk,
        "tags": [term(Vocabulary.CATEGORY, "physical-abuse").pk],
        "immediate_risk": "no",
        "actions_taken": "First aid; told the class teacher.",
        "q_has_anyone_else_been_told": "yes",
    }
