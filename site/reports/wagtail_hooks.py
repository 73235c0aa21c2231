from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import selectors, views


@hooks.register("register_admin_urls")
def report_urls():
    return [
        path("safeguarding-reports/", views.report_page, name="reports"),
        path(
            "safeguarding-reports/export.<str:fmt>", views.export, name="reports_export"
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
    ]


class ReportsMenuItem(MenuItem):
    """Shown to DSLs, deputies and heads only (selectors.can_see_reports)."""

    def is_shown(self, request):
        if not hasattr(request, "_can_see_reports"):
            request._can_see_reports = selectors.can_see_reports(request.user)
        return request._can_see_reports


@hooks.register("register_admin_menu_item")
def reports_menu_item():
    return ReportsMenuItem(
        _("Reports"),
        reverse("reports"),
        name="safeguarding-reports",
        icon_name="table",
        order=60,
    )


@hooks.register("register_admin_menu_item")
def workflow_health_menu_item():
    return ReportsMenuItem(
        _("Workflow health"),
        reverse("reports_health"),
        name="workflow-health",
        icon_name="time",
        order=61,
    )
