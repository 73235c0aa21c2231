from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from chronicle import menu
from chronicle.admin_urls import namespaced
from chronicle.menu import MenuItemFor

from . import figures, selectors, views
from .questions import selectors as question_selectors
from .questions import views as question_views


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


@hooks.register("chronicle_api_report")
def api_report():
    """The report's figures for GET /api/v1/reports (api.casework)."""
    return figures


@hooks.register("register_admin_urls")
def question_report_urls():
    return [
        path(
            "safeguarding-reports/form-questions/",
            question_views.question_report,
            name="reports_questions",
        )
    ]


@hooks.register(menu.REPORTS)
def question_report_menu_item():
    # DSLs and deputies: their schools' forms (questions.selectors).
    return MenuItemFor(
        _("Form questions"),
        reverse("reports_questions"),
        name="form-questions",
        icon_name="form",
        order=62,
        shown=question_selectors.can_report_on_questions,
    )
