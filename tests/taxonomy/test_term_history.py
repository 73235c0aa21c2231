"""A term's history (who changed it, when) is for those who may edit the term:
wagtail-modeladmin showed it to anyone in the admin (found by tests/security)."""

import pytest
from django.urls import reverse

from accounts.models import Role
from taxonomy.models import Term, Vocabulary


@pytest.fixture
def local_category(school):
    return Term.objects.create(
        vocabulary=Vocabulary.CATEGORY, school=school, name="Local (test)"
    )


@pytest.mark.parametrize("role", [Role.STAFF, Role.DSL, Role.HEAD])
def test_a_terms_history_is_refused_to_other_roles(
    role, make_member, verified_client, local_category
):
    url = reverse(
        "taxonomy_concerncategory_modeladmin_history", args=[local_category.pk]
    )
    response = verified_client(make_member(role)).get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")


def test_another_schools_configurator_cannot_read_it(
    make_member, other_school, verified_client, local_category
):
    url = reverse(
        "taxonomy_concerncategory_modeladmin_history", args=[local_category.pk]
    )
    user = make_member(Role.CONFIGURATOR, at=other_school)
    assert verified_client(user).get(url).status_code == 302


def test_the_schools_configurator_reads_it(
    make_member, verified_client, local_category
):
    url = reverse(
        "taxonomy_concerncategory_modeladmin_history", args=[local_category.pk]
    )
    response = verified_client(make_member(Role.CONFIGURATOR)).get(url)
    assert response.status_code == 200
