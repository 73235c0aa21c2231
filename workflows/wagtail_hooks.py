from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from chronicle import menu
from chronicle.admin_urls import namespaced

from . import file_panels, selectors, views  # noqa: F401 (file_panels registers hooks)
from .adults import file_panels as adult_file_panels  # noqa: F401 (registers hooks)
from .adults import views as adult_views
from .transfers import views as transfer_views


@hooks.register("register_admin_urls")
def casework_urls():
    # Not under /admin/workflows/: Wagtail's own moderation workflows live there.
    return namespaced(
        "workflows",
        [
            path("casework/my-tasks/", views.my_tasks, name="my_tasks"),
            path("casework/team-queue/", views.team_queue, name="team_queue"),
            path("casework/tasks/<int:pk>/", views.task_detail, name="casework_task"),
            path("casework/tasks/<int:pk>/claim/", views.task_claim, name="task_claim"),
            path(
                "casework/tasks/<int:pk>/release/",
                views.task_release,
                name="task_release",
            ),
            path(
                "casework/tasks/<int:pk>/reassign/",
                views.task_reassign,
                name="task_reassign",
            ),
            path(
                "casework/concerns/<int:pk>/",
                views.concern_detail,
                name="casework_concern",
            ),
            path(
                "casework/concerns/<int:pk>/reopen/",
                views.concern_reopen,
                name="concern_reopen",
            ),
            path("casework/status/", views.status_page, name="casework_status"),
            path(
                "casework/settings/", views.casework_settings, name="casework_settings"
            ),
            path(
                "casework/notifications/",
                views.notifications,
                name="casework_notifications",
            ),
            path(
                "casework/notifications/<int:pk>/",
                views.notification_open,
                name="notification_open",
            ),
            path(
                "casework/transfers/",
                transfer_views.transfer_list,
                name="transfer_list",
            ),
            path(
                "casework/transfers/<int:pk>/",
                transfer_views.transfer_detail,
                name="transfer_detail",
            ),
            path(
                "casework/transfers/<int:pk>/documents/<int:document_pk>/",
                transfer_views.transfer_document,
                name="transfer_document",
            ),
            path(
                "casework/transfers/<int:pk>/receipt.txt",
                transfer_views.transfer_receipt,
                name="transfer_receipt",
            ),
            path(
                "casework/transfers/out/<int:pupil_pk>/",
                transfer_views.transfer_out_start,
                name="transfer_out_start",
            ),
            path(
                "casework/transfers/in/<int:pupil_pk>/",
                transfer_views.transfer_in_start,
                name="transfer_in_start",
            ),
            path("casework/adults/", adult_views.case_list, name="adult_cases"),
            path(
                "casework/adults/<int:pk>/", adult_views.case_detail, name="adult_case"
            ),
        ],
    )


class CountedMenuItem(MenuItem):
    """A menu item whose label carries a live count, e.g. "My tasks (3)". The counts
    are read once per request (selectors.menu_counts), not once per item.

    My tasks, Team queue and Notifications stay at the top of the menu, not inside
    the Casework group: their counts are what a DSL looks for first, and a closed
    group would hide them."""

    def __init__(self, label, url, *, key, shown, **kwargs):
        super().__init__(label, url, **kwargs)
        self._key, self._shown = key, shown

    def is_shown(self, request):
        return self._shown(_counts(request))

    def render_component(self, request):
        component = super().render_component(request)
        count = _counts(request).get(self._key) if self._key else 0
        if count:
            shown = (
                f"{selectors.MENU_COUNT_CAP}+"
                if count > selectors.MENU_COUNT_CAP
                else count
            )
            component.label = f"{self.label} ({shown})"
        return component


def _counts(request):
    if not hasattr(request, "_casework_counts"):
        request._casework_counts = selectors.menu_counts(
            request.user, reach=views.request_reach(request)
        )
    return request._casework_counts


@hooks.register("register_admin_menu_item")
def my_tasks_menu_item():
    return CountedMenuItem(
        _("My tasks"),
        reverse("workflows:my_tasks"),
        name="my-tasks",
        icon_name="tasks",
        order=50,
        key="mine",
        shown=lambda counts: counts["in_team"] or counts["mine"],
    )


@hooks.register("register_admin_menu_item")
def team_queue_menu_item():
    return CountedMenuItem(
        _("Team queue"),
        reverse("workflows:team_queue"),
        name="team-queue",
        icon_name="group",
        order=51,
        key="queue",
        shown=lambda counts: counts["in_team"],
    )


@hooks.register(menu.CASEWORK)
def status_menu_item():
    return CountedMenuItem(
        _("Workflow status"),
        reverse("workflows:casework_status"),
        name="workflow-status",
        icon_name="time",
        order=52,
        key=None,
        shown=lambda counts: counts["in_team"],
    )


@hooks.register("register_admin_menu_item")
def notifications_menu_item():
    return CountedMenuItem(
        _("Notifications"),
        reverse("workflows:casework_notifications"),
        name="notifications",
        icon_name="mail",
        order=53,
        key="unread",
        shown=lambda counts: counts["authenticated"],
    )


@hooks.register(menu.SETTINGS)
def casework_settings_menu_item():
    return CountedMenuItem(
        _("Casework settings"),
        reverse("workflows:casework_settings"),
        name="casework-settings",
        icon_name="cogs",
        order=54,
        key=None,
        shown=lambda counts: counts.get("dsl"),
    )


@hooks.register(menu.CASEWORK)
def transfers_menu_item():
    return CountedMenuItem(
        _("File transfers"),
        reverse("workflows:transfer_list"),
        name="file-transfers",
        icon_name="resubmit",
        order=55,
        key=None,
        shown=lambda counts: counts.get("case"),
    )


@hooks.register(menu.CASEWORK)
def adult_cases_menu_item():
    return CountedMenuItem(
        _("Concerns about adults"),
        reverse("workflows:adult_cases"),
        name="adult-cases",
        icon_name="user",
        order=56,
        key=None,
        shown=lambda counts: counts.get("head"),
    )
