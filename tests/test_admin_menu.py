"""The admin menu: Chronicle's work, not Wagtail's page-publishing extras."""

from django.test import RequestFactory
from wagtail.admin.menu import admin_menu


def _names(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return {item.name for item in admin_menu.render_component(request)}


def test_a_dsl_sees_one_reports_menu_chronicles(dsl):
    names = _names(dsl)
    assert "safeguarding-reports" in names
    assert "file-transfers" in names and "retention-review" in names
    assert "reports" not in names and "help" not in names


def test_staff_see_no_casework_menus(staff):
    names = _names(staff)
    assert not names & {
        "safeguarding-reports",
        "file-transfers",
        "retention-review",
        "team-queue",
    }
