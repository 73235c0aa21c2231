"""Forms per school: each school's forms in its own section of the page tree, the
trust's shared forms in another. Staff are offered their schools' and their trust's
forms only; a configurator adds, edits, publishes, unpublishes and deletes only
their own schools' forms, and the shared ones only if they configure every school
of the trust; nobody else can change where a form's concerns go."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import GroupPagePermission, Page
from wagtail.test.utils import WagtailTestUtils
from wagtail.test.utils.form_data import querydict_from_html

from accounts.models import Role
from accounts.services import role_give
from forms.models import ConcernFormField, ConcernFormPage, FormSection
from forms.sections.services import form_section_for_school, form_section_shared
from forms.selectors import concern_forms_for
from records.models import Concern

from .. import builders
from ..api.conftest import api_client, as_user, make_token, payload  # noqa: F401 (fixtures)
from ..factories import SchoolFactory, TrustFactory, UserFactory


def publish(section, title, slug, send_to=Concern.Route.DSL_TEAM):
    page = ConcernFormPage(
        title=title,
        slug=slug,
        send_to=send_to,
        form_fields=[ConcernFormField(label="Which area?", field_type="singleline")],
    )
    section.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def trust_forms(school, other_school):
    """The trust's shared form, each of its two schools' own, and another trust's."""
    elsewhere = SchoolFactory(
        name="Elsewhere Primary (test)", trust=TrustFactory(name="Other Trust")
    )
    return SimpleNamespace(
        shared=publish(
            form_section_shared(trust=school.trust), "General concern", "general"
        ),
        ours=publish(
            form_section_for_school(school=school), "Playground concern", "playground"
        ),
        theirs=publish(
            form_section_for_school(school=other_school), "Trip concern", "trip"
        ),
        elsewhere=publish(
            form_section_shared(trust=elsewhere.trust), "Far concern", "far"
        ),
    )


@pytest.fixture
def configurators(school, other_school):
    return SimpleNamespace(
        ours=builders.member(school, Role.CONFIGURATOR),
        theirs=builders.member(other_school, Role.CONFIGURATOR),
        trust=builders.member(
            school, Role.CONFIGURATOR, others=[(other_school, Role.CONFIGURATOR)]
        ),
    )


def fresh(page):
    return ConcernFormPage.objects.get(pk=page.pk)


def soup(html):
    return WagtailTestUtils.get_soup(html)


def refused(response):
    """403/404, or Wagtail's bounce home (or back to the tree) with an error."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response["Location"].startswith("/admin/")


# -- what staff are offered --------------------------------------------------------


def test_staff_are_offered_their_schools_and_their_trusts_forms(
    verified_client, staff, trust_forms
):
    offered = [page.title for page in concern_forms_for(staff)]
    dashboard = verified_client(staff).get("/admin/").content.decode()

    assert offered == ["General concern", "Playground concern"]
    assert "Playground concern" in dashboard and "General concern" in dashboard
    assert "Trip concern" not in dashboard and "Far concern" not in dashboard


def test_another_schools_form_is_not_found_on_the_web(
    verified_client, staff, trust_forms, answers
):
    client = verified_client(staff)
    theirs = trust_forms.theirs

    assert client.get(theirs.url).status_code == 404
    form_url = reverse("concern_forms:form", args=[theirs.pk])
    assert client.post(form_url, answers).status_code == 404
    assert not Concern.objects.exists()
    draft = client.post(reverse("concern_forms:draft", args=[theirs.pk]), answers)
    assert draft.status_code == 404
    assert client.get(trust_forms.ours.url).status_code == 200


def test_the_api_offers_the_same_forms(as_user, staff, trust_forms, answers):  # noqa: F811
    client = as_user(staff)

    listed = [form["id"] for form in client.get("/forms").json()]

    assert listed == [trust_forms.shared.pk, trust_forms.ours.pk]
    assert client.get(f"/forms/{trust_forms.theirs.pk}").status_code == 404
    sent = client.post(f"/forms/{trust_forms.theirs.pk}/concerns", payload(answers))
    assert sent.status_code == 404
    assert not Concern.objects.exists()


# -- what configurators may do -----------------------------------------------------


def edit_data(client, page, **changes):
    """The page editor's own form, as a browser would post it back."""
    html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    data = querydict_from_html(html.content.decode(), form_id="page-edit-form")
    data = data.copy()
    for name, value in changes.items():
        data[name] = value
    return data


ACTIONS = {
    "open the editor": lambda c, page, data: c.get(
        reverse("wagtailadmin_pages:edit", args=[page.pk])
    ),
    "change where concerns go and publish": lambda c, page, data: c.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]), data
    ),
    "unpublish": lambda c, page, data: c.post(
        reverse("wagtailadmin_pages:unpublish", args=[page.pk])
    ),
    "delete": lambda c, page, data: c.post(
        reverse("wagtailadmin_pages:delete", args=[page.pk])
    ),
    "lock": lambda c, page, data: c.post(
        reverse("wagtailadmin_pages:lock", args=[page.pk])
    ),
    "copy": lambda c, page, data: c.post(
        reverse("wagtailadmin_pages:copy", args=[page.pk]),
        {"new_title": "Copy", "new_slug": "copy", "new_parent_page": page.pk},
    ),
    "revert to a revision": lambda c, page, data: c.get(
        reverse(
            "wagtailadmin_pages:revisions_revert",
            args=[page.pk, page.latest_revision_id],
        )
    ),
    "add a form beside it": lambda c, page, data: c.get(
        reverse(
            "wagtailadmin_pages:add",
            args=["concern_forms", "concernformpage", page.get_parent().pk],
        )
    ),
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize(
    ("form", "who"),
    [("ours", "theirs"), ("shared", "ours"), ("shared", "theirs")],
    ids=["another school's form", "the trust's form", "the trust's form (other)"],
)
def test_a_configurator_is_refused_every_action_on_a_form_not_theirs(
    verified_client, trust_forms, configurators, action, form, who
):
    page = getattr(trust_forms, form)
    allowed = configurators.trust if form == "shared" else configurators.ours
    data = edit_data(
        verified_client(allowed),
        page,
        send_to=Concern.Route.HEAD,
        **{"action-publish": "action-publish"},
    )
    client = verified_client(getattr(configurators, who))

    response = ACTIONS[action](client, fresh(page), data)

    assert refused(response), response.status_code
    after = fresh(page)
    assert after.send_to == Concern.Route.DSL_TEAM
    assert after.live and not after.locked
    assert after.get_parent().specific == page.get_parent().specific
    assert ConcernFormPage.objects.count() == 4


def test_a_configurator_changes_where_their_own_schools_form_goes(
    verified_client, trust_forms, configurators
):
    client = verified_client(configurators.ours)
    data = edit_data(
        client,
        trust_forms.ours,
        send_to=Concern.Route.HEAD,
        **{"action-publish": "action-publish"},
    )

    client.post(reverse("wagtailadmin_pages:edit", args=[trust_forms.ours.pk]), data)

    assert fresh(trust_forms.ours).send_to == Concern.Route.HEAD


def test_a_configurator_unpublishes_and_deletes_their_own_schools_form(
    verified_client, trust_forms, configurators
):
    client = verified_client(configurators.ours)
    page = trust_forms.ours

    client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))
    assert not fresh(page).live
    client.post(reverse("wagtailadmin_pages:delete", args=[page.pk]))
    assert not ConcernFormPage.objects.filter(pk=page.pk).exists()


def test_only_a_trust_wide_configurator_edits_the_shared_forms(
    verified_client, trust_forms, configurators
):
    client = verified_client(configurators.trust)
    data = edit_data(
        client,
        trust_forms.shared,
        send_to=Concern.Route.HEAD,
        **{"action-publish": "action-publish"},
    )

    client.post(reverse("wagtailadmin_pages:edit", args=[trust_forms.shared.pk]), data)

    assert fresh(trust_forms.shared).send_to == Concern.Route.HEAD
    # ...and no trust's configurator reaches another trust's forms.
    other = trust_forms.elsewhere
    assert refused(client.get(reverse("wagtailadmin_pages:edit", args=[other.pk])))


def test_a_configurator_adds_forms_only_in_their_schools_section(
    verified_client, trust_forms, configurators
):
    client = verified_client(configurators.ours)

    def add(page):
        parent = page.get_parent().pk
        return client.get(
            reverse(
                "wagtailadmin_pages:add",
                args=["concern_forms", "concernformpage", parent],
            )
        )

    assert add(trust_forms.ours).status_code == 200
    assert refused(add(trust_forms.theirs))
    assert refused(add(trust_forms.shared))


def test_no_configurator_holds_rights_on_the_root(configurators, trust_forms):
    root = Page.get_first_root_node()

    assert not GroupPagePermission.objects.filter(
        group=Group.objects.get(name="Configurators")
    ).exists()
    for user in vars(configurators).values():
        assert not root.permissions_for_user(user).can_add_subpage()
        site_root = root.get_first_child()
        assert not site_root.permissions_for_user(user).can_add_subpage()


def test_a_section_itself_is_not_deleted_unpublished_or_moved(
    verified_client, trust_forms, configurators
):
    client = verified_client(configurators.trust)
    section = trust_forms.ours.get_parent()

    for name in ("delete", "unpublish"):
        response = client.post(reverse(f"wagtailadmin_pages:{name}", args=[section.pk]))
        assert refused(response)
    assert FormSection.objects.get(pk=section.pk).live
    assert fresh(trust_forms.ours).live


# -- the configurator's way in reads as forms, not a website ------------------------


def test_the_form_editor_speaks_of_forms_not_a_public_website(
    verified_client, trust_forms, configurators
):
    client = verified_client(configurators.ours)
    editor = client.get(
        reverse("wagtailadmin_pages:edit", args=[trust_forms.ours.pk])
    ).content.decode()
    tree = client.get(
        reverse("wagtailadmin_explore", args=[trust_forms.ours.get_parent().pk])
    ).content.decode()

    assert "seen by the public" not in editor
    tabs = [tab.get_text(strip=True) for tab in soup(editor).select("[role=tab]")]
    assert [tab for tab in tabs if tab.startswith("Content")]
    assert not [tab for tab in tabs if tab.startswith("Promote")]
    assert 'name="slug"' not in editor  # the Promote tab's web-address field
    assert "What staff see on their dashboard" in editor
    assert "Playground concern" in tree and "Trip concern" not in tree
    for page in (editor, tree):
        assert "Welcome to your new Wagtail site" not in page


def test_the_configurators_dashboard_links_to_their_forms_and_categories(
    verified_client, trust_forms, configurators
):
    section = trust_forms.ours.get_parent()

    page = verified_client(configurators.ours).get("/admin/").content.decode()

    assert reverse("wagtailadmin_explore", args=[section.pk]) in page
    assert reverse("taxonomy_concerncategory_modeladmin_index") in page
    other = trust_forms.theirs.get_parent()
    assert reverse("wagtailadmin_explore", args=[other.pk]) not in page


def test_a_new_school_gets_its_section_when_its_first_configurator_is_named(db):
    school = SchoolFactory(name="Newly Joined Primary (test)")

    role_give(user=UserFactory(), school=school, role=Role.CONFIGURATOR)

    section = FormSection.objects.get(school=school)
    assert section.get_parent().get_children().type(FormSection).count() == 2
    assert FormSection.objects.filter(trust=school.trust).exists()
