from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from chronicle import menu
from chronicle.admin_urls import namespaced
from chronicle.menu import MenuItemFor

from . import selectors, views


@hooks.register("register_admin_urls")
def report_urls():
    return namespaced(
        "reports",
        [
            path("safeguarding-reports/", views.report_page, name="reports"),
            path(
                "safeguarding-reports/export.<str:fmt>",
                views.export,
                name="reports_export",
            ),
            path(
                "safeguarding-reports/governors.pdf",
                views.governors,
                name="reports_governors",
            ),
            path(
                "safeguarding-reports/workflow/",
                views.workflow_health,
                name="reports_health",
            ),
            path("safeguarding-reports/pins/", views.pin, name="reports_pin"),
            path(
                "safeguarding-reports/pins/<int:pk>/delete/",
                views.unpin,
                name="reports_unpin",
            ),
        ],
    )


@hooks.register(menu.REPORTS)
def reports_menu_item():
    # Shown to DSLs, deputies and heads only (selectors.can_see_reports).
    return MenuItemFor(
        _("Reports"),
        reverse("reports:reports"),
        name="safeguarding-reports",
        icon_name="table",
        order=60,
        shown=selectors.can_see_reports,
    )


@hooks.register(menu.REPORTS)
def workflow_health_menu_item():
    return MenuItemFor(
        _("Workflow health"),
        reverse("reports:reports_health"),
        name="workflow-health",
        icon_name="time",
        order=61,
        shown=selectors.can_see_reports,
    )
