"""Categories and lists: shipped defaults, per-school additions, retire, merge."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from audit.models import ChainedLogEntry
from taxonomy.models import ConcernCategory, Term, Vocabulary
from taxonomy.selectors import category_tree, terms_offered
from taxonomy.services import term_merge, term_retire

CATEGORY_LIST = reverse("taxonomy_concerncategory_modeladmin_index")
CATEGORY_CREATE = reverse("taxonomy_concerncategory_modeladmin_create")


def category(key):
    return Term.objects.get(vocabulary=Vocabulary.CATEGORY, key=key)


@pytest.fixture
def configurator(make_member):
    return make_member(Role.CONFIGURATOR)


def test_kcsie_categories_ship_with_definitions(db):
    mains = {t.key for t in Term.objects.filter(vocabulary="category", parent=None)}
    assert {"physical-abuse", "emotional-abuse", "sexual-abuse", "neglect"} <= mains
    assert "Female genital mutilation (FGM)" in {
        t.name for t in category("honour-based-abuse").children.all()
    }
    assert not Term.objects.filter(vocabulary="category", definition="").exists()
    agencies = set(terms_offered(Vocabulary.AGENCY, school=None).values_list("key"))
    assert {("csc",), ("police",), ("lado",), ("prevent",)} <= agencies


def test_configurator_adds_a_sub_category_that_forms_then_offer(
    verified_client, configurator, school
):
    parent = category("child-on-child")
    response = verified_client(configurator).post(
        CATEGORY_CREATE,
        {
            "name": "Upskirting",
            "parent": parent.pk,
            "definition": "Taking a picture under a person's clothing without consent.",
            "school": "",
            "external_code": "",
            "sort_order": 50,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    tree = {
        main.name: [c.name for c in main.offered]
        for main in category_tree(school=school)
    }
    assert "Upskirting" in tree["Child-on-child abuse"]
    entry = ChainedLogEntry.objects.filter(object_repr__contains="Upskirting").get()
    assert entry.actor == configurator


def test_category_without_definition_is_refused_and_typing_kept(
    verified_client, configurator
):
    response = verified_client(configurator).post(
        CATEGORY_CREATE,
        {"name": "Worry about attendance", "definition": "", "sort_order": 5},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Categories need a definition" in page
    assert 'value="Worry about attendance"' in page
    assert not Term.objects.filter(name="Worry about attendance").exists()


def test_duplicate_name_in_the_same_place_is_refused(school):
    term = ConcernCategory(name="neglect", definition="Same as the shipped one.")
    with pytest.raises(ValidationError, match="already a term with this name"):
        term.full_clean()


def test_school_addition_is_offered_only_at_that_school(school, other_school):
    ConcernCategory.objects.create(
        name="Uniform hardship",
        definition="Family cannot afford uniform.",
        school=school,
    )
    assert terms_offered(Vocabulary.CATEGORY, school=school).filter(
        name="Uniform hardship"
    )
    assert not terms_offered(Vocabulary.CATEGORY, school=other_school).filter(
        name="Uniform hardship"
    )


@pytest.mark.parametrize("role", [Role.STAFF, Role.DSL, Role.DEPUTY_DSL, Role.HEAD])
def test_only_configurators_manage_the_lists(verified_client, make_member, role):
    client = verified_client(make_member(role))
    for url in (CATEGORY_LIST, CATEGORY_CREATE):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert not response.get("Location", "").startswith(url)
    # A submission that a configurator's would succeed with (see the test above).
    client.post(
        CATEGORY_CREATE,
        {"name": "Sneaked in", "definition": "x", "sort_order": 1, "is_active": "on"},
    )
    assert not Term.objects.filter(name="Sneaked in").exists()
    assert "Categories and lists" not in client.get("/admin/").content.decode()


def test_configurator_cannot_touch_another_schools_terms(
    verified_client, configurator, other_school
):
    theirs = ConcernCategory.objects.create(
        name="Their own", definition="Only at the other school.", school=other_school
    )
    client = verified_client(configurator)
    assert "Their own" not in client.get(CATEGORY_LIST).content.decode()
    edit = reverse("taxonomy_concerncategory_modeladmin_edit", args=[theirs.pk])
    client.post(edit, {"name": "Renamed", "definition": "x", "sort_order": 1})
    theirs.refresh_from_db()
    assert theirs.name == "Their own"
    assert (
        client.get(reverse("taxonomy:taxonomy_merge", args=[theirs.pk])).status_code
        == 404
    )


def test_terms_cannot_be_deleted_in_the_admin(verified_client, configurator):
    term = category("cybercrime")
    delete = reverse("taxonomy_concerncategory_modeladmin_delete", args=[term.pk])
    verified_client(configurator).post(delete)
    assert Term.objects.filter(pk=term.pk).exists()


def test_retired_term_leaves_new_forms_but_stays(school):
    term = category("cybercrime")
    term_retire(term=term)
    assert not terms_offered(Vocabulary.CATEGORY, school=school).filter(pk=term.pk)
    assert Term.objects.get(pk=term.pk).status == "Retired"


def test_merge_moves_sub_categories_and_retires_the_source(
    verified_client, configurator
):
    source, into = category("exploitation"), category("other")
    children = set(source.children.values_list("pk", flat=True))

    response = verified_client(configurator).post(
        reverse("taxonomy:taxonomy_merge", args=[source.pk]), {"into": into.pk}
    )

    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.merged_into, source.is_active) == (into, False)
    assert set(into.children.values_list("pk", flat=True)) >= children
    assert source.status == "Merged into Other concern"
    merge_entry = ChainedLogEntry.objects.get_for_object(source).latest("pk")
    assert merge_entry.actor == configurator
    assert "merged_into" in merge_entry.changes


def test_merge_refuses_another_list_or_itself(db):
    with pytest.raises(ValidationError):
        term_merge(source=category("neglect"), into=category("neglect"))
    police = Term.objects.get(vocabulary=Vocabulary.AGENCY, key="police")
    with pytest.raises(ValidationError):
        term_merge(source=category("neglect"), into=police)


def test_rename_is_in_the_audit_log_with_the_old_name(db):
    term = category("cybercrime")
    term.name = "Computer misuse"
    term.save()
    entry = ChainedLogEntry.objects.get_for_object(term).latest("pk")
    assert entry.changes["name"] == ["Cybercrime", "Computer misuse"]


def test_category_tree_takes_two_queries_however_many_terms(
    school, django_assert_num_queries
):
    for index in range(30):
        ConcernCategory.objects.create(
            name=f"Extra {index}",
            definition="Synthetic.",
            parent=category("online-safety"),
        )
    with django_assert_num_queries(2):
        tree = list(category_tree(school=school))
        assert sum(len(main.offered) for main in tree) > 30


def test_merge_and_retire_keep_old_records_reading_as_written(school, staff):
    from .. import builders

    bullying, other = category("bullying"), category("other")
    concern = builders.concern(
        school=school,
        by=staff,
        category=bullying,
        tags=[bullying],
        occurred_on="2026-11-02",
        what_happened="Synthetic account.",
        child_voice="Synthetic words.",
    )

    term_merge(source=bullying, into=other)

    concern.refresh_from_db()
    assert concern.primary_category == other
    assert list(concern.tags.all()) == [other]
    assert concern.primary_category_name.endswith("Bullying, including cyberbullying")
    assert concern.tag_names == [
        "Child-on-child abuse › Bullying, including cyberbullying"
    ]
    repoint = ChainedLogEntry.objects.get_for_object(concern).latest("pk")
    assert repoint.action == ChainedLogEntry.Action.UPDATE


def test_a_configurator_of_one_school_cannot_change_the_shared_lists(
    verified_client, configurator, other_school
):
    shared = category("neglect")
    client = verified_client(configurator)
    assert "Neglect" in client.get(CATEGORY_LIST).content.decode()  # still listed

    edit = reverse("taxonomy_concerncategory_modeladmin_edit", args=[shared.pk])
    client.post(edit, {"name": "Renamed", "definition": "x", "sort_order": 1})
    response = client.post(
        reverse("taxonomy:taxonomy_merge", args=[shared.pk]), {"into": 1}
    )

    shared.refresh_from_db()
    assert (shared.name, shared.merged_into) == ("Neglect", None)
    assert response.status_code == 404
    created = client.post(
        CATEGORY_CREATE,
        {"name": "For all", "definition": "x", "school": "", "sort_order": 1},
    )
    assert created.status_code == 200  # refused with a message: choose a school
    assert not Term.objects.filter(name="For all").exists()


def test_merge_stays_within_a_school(school, other_school):
    mine = ConcernCategory.objects.create(name="Mine", definition="x", school=school)
    theirs = ConcernCategory.objects.create(
        name="Theirs", definition="x", school=other_school
    )
    with pytest.raises(ValidationError, match="same school"):
        term_merge(source=mine, into=theirs)


def test_the_category_list_runs_a_constant_number_of_queries(
    verified_client, configurator, django_assert_max_num_queries
):
    client = verified_client(configurator)
    client.get(CATEGORY_LIST)
    with django_assert_max_num_queries(60) as few:
        client.get(CATEGORY_LIST)
    budget = len(few)
    for index in range(20):
        ConcernCategory.objects.create(name=f"More {index}", definition="x")
    with django_assert_max_num_queries(budget):
        client.get(CATEGORY_LIST)
