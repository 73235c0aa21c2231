"""The dashboard puts the work first: a DSL's queue (with its urgent count), a
head's oversight, a teacher's Report a concern, and the list of roles last
(issue 21)."""

import pytest

from accounts.models import Role

pytestmark = pytest.mark.django_db


def _panels(client):
    page = client.get("/admin/").content.decode()
    return [
        name
        for name in ("casework", "oversight", "reporting", "configuration", "roles")
        if f'data-panel="{name}"' in page
    ], page


def _in_order(page, names):
    positions = [page.index(f'data-panel="{name}"') for name in names]
    return positions == sorted(positions)


@pytest.mark.parametrize(
    ("role", "first"),
    [
        (Role.DSL, "casework"),
        (Role.DEPUTY_DSL, "casework"),
        (Role.HEAD, "oversight"),
        (Role.STAFF, "reporting"),
    ],
)
def test_the_work_comes_before_your_roles(make_member, verified_client, role, first):
    names, page = _panels(verified_client(make_member(role)))
    assert names[-1] == "roles"
    assert _in_order(page, [first, "reporting", "roles"])


def test_a_dsls_urgent_count_is_above_their_roles(submit, dsl, verified_client):
    submit(immediate_risk=True)
    _names, page = _panels(verified_client(dsl))
    assert page.index("1 urgent") < page.index("Your roles")
