"""The global child search: the sidebar's search box finds children by name (full
name too) or UPN for those who may open files, through the same selector as
Children's files; everyone else keeps what they had."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Role
from records import restrictions

from .. import builders

FILES = reverse("records_admin:file_list")


@pytest.fixture
def maya(school):
    return builders.pupil(
        school, first_name="Maya", last_name="Ashdown", upn="A123456789012"
    )


def search(client, query, **extra):
    return client.get(FILES, {"q": query, **extra}).content.decode()


def sidebar_search_url(client):
    """Where the sidebar's search box sends the words typed into it."""
    page = client.get("/admin/").content.decode()
    start = page.find('"wagtail.sidebar.SearchModule"')
    return "" if start < 0 else page[start : start + 400]


@pytest.mark.parametrize(
    "query", ["Ashdown", "ashd", "Maya Ashdown", "Ashdown, Maya", "maya ash"]
)
def test_a_dsl_finds_a_child_by_any_way_of_writing_the_name(
    maya, dsl, verified_client, query
):
    assert "Ashdown, Maya" in search(verified_client(dsl), query)


def test_a_dsl_finds_a_child_by_upn(maya, dsl, verified_client):
    assert "Ashdown, Maya" in search(verified_client(dsl), "a123456789012")


def test_words_that_match_different_children_find_neither(
    maya, school, dsl, verified_client
):
    builders.pupil(school, first_name="Sam", last_name="Brook")
    page = search(verified_client(dsl), "Maya Brook")
    assert "Ashdown" not in page and "Brook, Sam" not in page
    assert "No child matches “Maya Brook”" in page


def test_no_match_says_so_and_points_at_leavers(maya, school, dsl, verified_client):
    builders.pupil(
        school, first_name="Maya", last_name="Leftwood", date_left=date(2025, 7, 20)
    )
    client = verified_client(dsl)
    page = search(client, "Leftwood")
    assert "No child matches “Leftwood”" in page
    assert "1 child who has left also matches" in page
    assert "Leftwood, Maya" in search(client, "Leftwood", left="on")


def test_the_sidebar_search_finds_children_for_the_dsl_team(
    dsl, deputy, verified_client
):
    for person in (dsl, deputy):
        module = sidebar_search_url(verified_client(person))
        assert FILES in module


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEAD])
def test_staff_without_files_get_no_child_search(make_member, verified_client, role):
    client = verified_client(make_member(role))
    assert FILES not in sidebar_search_url(client)
    response = client.get(FILES, {"q": "Ashdown"})
    assert response.status_code in (302, 403)
    assert "Ashdown" not in response.content.decode()


def test_a_dsl_at_another_school_does_not_find_the_child(
    maya, make_member, other_school, verified_client
):
    other = make_member(Role.DSL, at=other_school)
    page = search(verified_client(other), "Maya Ashdown")
    assert "No child matches" in page


def test_a_restricted_file_is_not_found_by_those_it_is_kept_from(
    maya, dsl, deputy, verified_client
):
    restrictions.restriction_set(
        obj=maya, user=dsl, reason="Sibling works in the office.", people=[]
    )
    page = search(verified_client(deputy), "Maya Ashdown")
    assert "Ashdown, Maya" not in page
    assert "No child matches" in page
    assert "Ashdown, Maya" in search(verified_client(dsl), "Maya Ashdown")
