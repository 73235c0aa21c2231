"""The admin menu: Chronicle's work, not Wagtail's page-publishing extras, grouped
by what people do (chronicle.menu) so that no role sees more than eight top-level
items, and every item still shown to exactly the people who saw it before."""

import pytest
from django.test import RequestFactory
from wagtail.admin.menu import admin_menu

from accounts.models import Role
from accounts.services import membership_grant
from forms.sections.services import form_sections_ensure

from .factories import UserFactory

GROUPS = {"casework", "children", "reports", "settings"}
WAGTAIL_REPORTS = {
    "locked-pages",
    "workflows",
    "workflow-tasks",
    "site-history",
    "aging-pages",
    "page-types-usage",
}
WAGTAIL_SETTINGS = {
    "workflows",
    "workflow-tasks",
    "users",
    "groups",
    "sites",
    "collections",
    "redirects",
}
LISTS = {
    "categories-and-lists",
    "concern-categories",
    "agencies",
    "locations",
    "decisions-and-outcomes",
    "pupil-profile-flags",
}
HEADS = {
    "my-tasks",
    "team-queue",
    "workflow-status",
    "notifications",
    "file-audits",
    "safeguarding-reports",
    "workflow-health",
    "my-reports",
    "school-calendar",
    "roles",
    "api-tokens",
    "adult-cases",
}
DEPUTIES = HEADS - {"roles", "adult-cases"} | {
    "childrens-files",
    "file-transfers",
    # Counts per answer to their school's forms' own questions (issue 16).
    "form-questions",
}
# Heads and trust leads oversee their schools: the audit log and the break-glass
# register (issue 16).
# And the school's settings: where a concern about the head goes (read-only for a
# head; the trust lead sets it), its DfE number and region.
OVERSIGHT = {"audit-log", "break-glass-register", "school-settings"}
# What each role reaches, at any depth: the items each saw before the grouping.
REACHES = {
    # A teacher finds API tokens under their account, not in the sidebar (issue 21).
    "staff": {"notifications", "my-reports"},
    "deputy": DEPUTIES,
    "dsl": DEPUTIES
    | {
        "casework-settings",
        "retention-review",
        "break-glass",
        "roles",
        "reset-two-factor",
        "audit-log",
        # The school's service tokens for the MIS's roll sync (issue 22).
        "roll-sync-tokens",
        # The school's webhooks (issue 22): its DSL and heads.
        "webhooks",
    },
    "head": HEADS | OVERSIGHT | {"webhooks"},
    "configurator": {"notifications", "my-reports", "explorer", "api-tokens"} | LISTS,
    "trust_lead": HEADS | OVERSIGHT | {"explorer", "webhooks"} | LISTS,
    "system_administrator": {
        "notifications",
        "break-glass",
        "explorer",
        "images",
        "documents",
        "roles",
        "background-tasks",
        # DfE number and region; case managers only where no trust lead.
        "school-settings",
    }
    | WAGTAIL_REPORTS
    | WAGTAIL_SETTINGS,
}


@pytest.fixture
def people(make_member, school, other_school):
    form_sections_ensure()  # as after every migrate: the schools' forms sections
    lead = UserFactory()
    for at in (school, other_school):
        membership_grant(user=lead, school=at, role=Role.HEAD)
        membership_grant(user=lead, school=at, role=Role.CONFIGURATOR)
    return {
        "staff": make_member(Role.STAFF),
        "deputy": make_member(Role.DEPUTY_DSL),
        "dsl": make_member(Role.DSL),
        "head": make_member(Role.HEAD),
        "configurator": make_member(Role.CONFIGURATOR),
        "trust_lead": lead,
        "system_administrator": UserFactory(is_superuser=True),
    }


def _menu(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return admin_menu.render_component(request)


def _reached(items):
    """The names of the items below the groups, at any depth (a list such as
    Categories and lists counts, with its own items)."""
    names = set()
    for item in items:
        children = getattr(item, "menu_items", None)
        if item.name not in GROUPS:
            names.add(item.name)
        if children:
            names |= _reached(children)
    return names


@pytest.mark.parametrize("role", sorted(REACHES))
def test_each_role_sees_at_most_eight_top_level_items(people, role):
    top = _menu(people[role])
    assert len(top) <= 8, [item.name for item in top]


@pytest.mark.parametrize("role", sorted(REACHES))
def test_each_item_is_reached_by_those_who_saw_it_and_no_one_else(people, role):
    assert _reached(_menu(people[role])) == REACHES[role]


def test_a_dsl_finds_the_work_in_four_groups_after_their_own_queues(people):
    top = _menu(people["dsl"])
    names = [item.name for item in top]
    assert names == [
        "my-tasks",
        "team-queue",
        "notifications",
        "casework",
        "children",
        "reports",
        "settings",
    ]
    groups = {
        item.name: {sub.name for sub in item.menu_items}
        for item in top
        if item.name in GROUPS
    }
    assert {"workflow-status", "file-transfers"} <= groups["casework"]
    assert {"childrens-files", "retention-review"} <= groups["children"]
    assert groups["reports"] == {
        "safeguarding-reports",
        "workflow-health",
        "form-questions",
        "audit-log",
    }
    assert {"roles", "school-calendar", "api-tokens"} <= groups["settings"]


def test_staff_see_no_casework_menus(people):
    names = _reached(_menu(people["staff"]))
    assert not names & {
        "safeguarding-reports",
        "file-transfers",
        "retention-review",
        "team-queue",
    }


def test_no_one_gets_wagtails_help_and_only_administrators_its_page_reports(
    people,
):
    for role, user in people.items():
        names = _reached(_menu(user))
        assert "help" not in names
        assert bool(names & {"locked-pages", "site-history"}) == (
            role == "system_administrator"
        )


def test_the_counts_show_at_the_top_of_the_menu_not_inside_a_closed_group(
    people, submit
):
    dsl = people["dsl"]
    submit()
    labels = {item.name: str(item.label) for item in _menu(dsl)}
    assert labels["team-queue"].startswith("Team queue (")
