"""The move into sections (concern_forms 0003): forms made before sections existed,
with the concerns sent on them and the drafts being written, come through it.

The migration only moves rows (its schema is 0002's, today's), so the test builds
the world as it was before it — forms straight under the site's first page,
configurators holding rights on the root — and runs the migration's own function
with the historical models."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import GroupPagePermission, Page, Site

from accounts.models import Role
from accounts.roles import group_for
from forms.models import ConcernDraft, ConcernFormField, ConcernFormPage, FormSection
from forms.selectors import concern_forms_for
from records.models import Concern

from .. import builders
from ..factories import SchoolFactory, TrustFactory

MIGRATION = "0003_move_forms_into_sections"
WELCOME = "Welcome to your new Wagtail site!"


def migrate():
    module = importlib.import_module(f"forms.migrations.{MIGRATION}")
    state = MigrationLoader(connection).project_state(("concern_forms", MIGRATION))
    module.move_forms_into_sections(state.apps, None)


def old_form(title, slug):
    """A form as they were made before sections: under the site's first page."""
    root = Site.objects.get(is_default_site=True).root_page
    page = ConcernFormPage(
        title=title,
        slug=slug,
        form_fields=[ConcernFormField(label="Which area?", field_type="singleline")],
    )
    root.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def before(school, other_school, staff):
    """Two schools of one trust, a form with a concern sent on it and a draft, a
    draft revision not yet published, and the configurators' old rights."""
    root = Site.objects.get(is_default_site=True).root_page
    root.title = root.draft_title = WELCOME
    root.save()
    general = old_form("General concern", "general-concern")
    other = old_form("Online safety", "online-safety")
    general.title = "General concern (new wording)"
    general.save_revision()  # a draft the configurator has not published yet
    concern = builders.concern(by=staff, school=school)
    Concern.objects.filter(pk=concern.pk).update(form_page_id=general.pk)
    ConcernDraft.objects.create(user=staff, page=general, data={"what": ["half"]})
    for permission_type in ("add", "change", "publish"):
        GroupPagePermission.objects.create(
            group=group_for(Role.CONFIGURATOR),
            page=Page.get_first_root_node(),
            permission_type=permission_type,
        )
    return general, other, concern


def test_existing_forms_move_into_the_trusts_shared_section(before, school, staff):
    general, other, _concern = before

    migrate()

    shared = FormSection.objects.get(trust=school.trust)
    for page in (general, other):
        moved = ConcernFormPage.objects.get(pk=page.pk)
        assert moved.get_parent().pk == shared.pk
    assert [page.pk for page in concern_forms_for(staff)] == [general.pk, other.pk]
    assert Page.find_problems() == ([], [], [], [], [])


def test_concerns_drafts_and_revisions_survive_the_move(before, school, staff):
    _general, _other, concern = before

    migrate()

    concern.refresh_from_db()
    page = ConcernFormPage.objects.get(pk=concern.form_page_id)
    assert page.title == "General concern"
    assert ConcernDraft.objects.get(user=staff).page_id == page.pk
    assert page.has_unpublished_changes
    assert page.get_latest_revision_as_object().title == (
        "General concern (new wording)"
    )
    page.get_latest_revision().publish()  # publishing it later keeps it in place
    assert ConcernFormPage.objects.get(pk=page.pk).get_parent().specific.trust


def test_each_school_gets_its_section_and_old_addresses_redirect(
    before, school, other_school
):
    general, _other, _concern = before

    migrate()

    assert FormSection.objects.get(school=school).get_parent().title == (
        "Concern forms"
    )
    assert FormSection.objects.filter(school=other_school).exists()
    redirect = Redirect.objects.get(old_path="/general-concern")
    assert redirect.redirect_page_id == general.pk


def test_configurators_lose_their_rights_on_the_root(before):
    migrate()

    assert not GroupPagePermission.objects.filter(
        group=group_for(Role.CONFIGURATOR)
    ).exists()


def test_schools_in_several_trusts_share_the_old_forms_in_every_schools_section(
    before, school
):
    SchoolFactory(name="Elsewhere (test)", trust=TrustFactory(name="Other Trust"))
    general, _other, _concern = before

    migrate()

    parent = ConcernFormPage.objects.get(pk=general.pk).get_parent().specific
    assert parent.school is None and parent.trust is None
    assert FormSection.objects.filter(trust__name="Other Trust").exists()


def test_running_it_again_moves_nothing(before):
    general, _other, _concern = before
    migrate()
    path = ConcernFormPage.objects.get(pk=general.pk).path

    migrate()

    assert ConcernFormPage.objects.get(pk=general.pk).path == path
    assert FormSection.objects.count() == 3
