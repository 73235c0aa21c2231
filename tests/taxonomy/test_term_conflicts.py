"""Two configurators editing the same term: the second save is refused, with who
changed it, when and what is stored now, instead of silently overwriting the first
(taxonomy.views.TermEditView)."""

import re

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.timezone import localtime

from accounts.models import Role
from taxonomy.models import ConcernCategory, Term
from taxonomy.services import TermChanged, term_lock_unchanged, term_version

VERSION = re.compile(r'name="loaded_version" value="([^"]+)"')


@pytest.fixture
def term(school):
    return ConcernCategory.objects.create(
        name="Uniform hardship",
        definition="The family cannot afford uniform.",
        school=school,
        sort_order=10,
    )


@pytest.fixture
def edit_url(term):
    return reverse("taxonomy_concerncategory_modeladmin_edit", args=[term.pk])


@pytest.fixture
def amira(make_member):
    return make_member(Role.CONFIGURATOR, first_name="Amira", last_name="Khan")


@pytest.fixture
def ben(make_member):
    return make_member(Role.CONFIGURATOR, first_name="Ben", last_name="Okafor")


def open_page(client, url):
    """What the browser holds after loading the edit page: the version it carries."""
    response = client.get(url)
    assert response.status_code == 200
    return VERSION.search(response.content.decode()).group(1)


def typed(term, version=None, **changes):
    data = {
        "name": term.name,
        "parent": "",
        "definition": term.definition,
        "school": term.school_id,
        "external_code": term.external_code,
        "sort_order": term.sort_order,
        "is_active": "on",
        **changes,
    }
    if version is not None:
        data["loaded_version"] = version
    return data


def test_the_second_save_is_refused_and_says_who_when_and_what_is_stored(
    verified_client, amira, ben, term, edit_url
):
    amiras_page = open_page(verified_client(amira), edit_url)
    bens_page = open_page(verified_client(ben), edit_url)

    first = verified_client(amira).post(
        edit_url, typed(term, amiras_page, name="Uniform and kit hardship")
    )
    assert first.status_code == 302
    second = verified_client(ben).post(
        edit_url,
        typed(
            term, bens_page, definition="The family cannot afford uniform or PE kit."
        ),
    )

    page = second.content.decode()
    assert second.status_code == 200
    assert "Nothing was saved: Amira Khan saved this term" in page
    stored = Term.objects.get(pk=term.pk)
    assert format_date(localtime(stored.updated_at), "j F Y") in page
    assert "What is stored now" in page
    assert "Uniform and kit hardship" in page  # Amira's name, shown to Ben
    assert "The family cannot afford uniform or PE kit." in page  # Ben's typing kept
    assert (stored.name, stored.definition) == (
        "Uniform and kit hardship",
        "The family cannot afford uniform.",
    )


def test_after_a_refusal_saving_again_keeps_both_changes(
    verified_client, amira, ben, term, edit_url
):
    """Ben reads what Amira stored, brings her change into his form and saves."""
    amiras_page = open_page(verified_client(amira), edit_url)
    bens_page = open_page(verified_client(ben), edit_url)
    verified_client(amira).post(
        edit_url, typed(term, amiras_page, name="Uniform and kit hardship")
    )
    refused = verified_client(ben).post(
        edit_url, typed(term, bens_page, definition="Cannot afford uniform or kit.")
    )
    current = VERSION.search(refused.content.decode()).group(1)
    assert current != bens_page

    merged = verified_client(ben).post(
        edit_url,
        typed(
            term,
            current,
            name="Uniform and kit hardship",
            definition="Cannot afford uniform or kit.",
        ),
    )

    assert merged.status_code == 302
    stored = Term.objects.get(pk=term.pk)
    assert (stored.name, stored.definition) == (
        "Uniform and kit hardship",
        "Cannot afford uniform or kit.",
    )


def test_one_editor_saves_as_before(verified_client, amira, term, edit_url):
    client = verified_client(amira)
    version = open_page(client, edit_url)

    response = client.post(edit_url, typed(term, version, name="Uniform costs"))

    assert response.status_code == 302
    assert Term.objects.get(pk=term.pk).name == "Uniform costs"
    create = reverse("taxonomy_concerncategory_modeladmin_create")
    assert "loaded_version" not in client.get(create).content.decode()


def test_a_save_that_changes_nothing_does_not_refuse_a_colleague(
    verified_client, amira, ben, term, edit_url
):
    amiras_page = open_page(verified_client(amira), edit_url)
    bens_page = open_page(verified_client(ben), edit_url)
    unchanged = verified_client(ben).post(edit_url, typed(term, bens_page), follow=True)
    assert "No changes to save" in unchanged.content.decode()

    response = verified_client(amira).post(
        edit_url, typed(term, amiras_page, name="Uniform costs")
    )

    assert response.status_code == 302
    assert Term.objects.get(pk=term.pk).name == "Uniform costs"


@pytest.mark.parametrize("version", [None, "", "not a version"])
def test_a_save_without_a_usable_version_is_refused_clearly(
    verified_client, amira, term, edit_url, version
):
    response = verified_client(amira).post(
        edit_url, typed(term, version, name="Uniform costs")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in page
    assert 'value="Uniform costs"' in page
    assert Term.objects.get(pk=term.pk).name == "Uniform hardship"


def test_the_check_reads_the_locked_row_not_the_page(term):
    """What the editor loaded is compared with the row as stored, under a lock."""
    loaded = Term.objects.get(pk=term.pk)
    colleague = Term.objects.get(pk=term.pk)
    colleague.name = "Uniform costs"
    colleague.save()

    with pytest.raises(TermChanged) as refused, transaction.atomic():
        term_lock_unchanged(term=loaded, version=term_version(loaded))
    assert refused.value.stored.name == "Uniform costs"
    with transaction.atomic():
        assert term_lock_unchanged(term=loaded, version=term_version(colleague))
