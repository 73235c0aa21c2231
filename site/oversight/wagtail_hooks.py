from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from chronicle import menu
from chronicle.menu import MenuItemFor

from . import views
from .selectors import can_browse_audit_log


@hooks.register("register_admin_urls")
def audit_log_urls():
    return [
        path("audit-log/", views.audit_log, name="audit_log"),
        path("audit-log/export/", views.export, name="audit_log_export"),
        path(
            "audit-log/record/<int:content_type_id>/<str:object_pk>/",
            views.object_history,
            name="audit_log_object",
        ),
        path(
            "audit-log/record/<int:content_type_id>/<str:object_pk>/export/",
            views.object_export,
            name="audit_log_object_export",
        ),
        path(
            "audit-log/person/<int:user_id>/",
            views.person_history,
            name="audit_log_person",
        ),
        path(
            "audit-log/person/<int:user_id>/export/",
            views.person_export,
            name="audit_log_person_export",
        ),
    ]


@hooks.register(menu.REPORTS)
def audit_log_menu_item():
    return MenuItemFor(
        _("Audit log"),
        reverse("audit_log"),
        icon_name="history",
        order=370,
        shown=can_browse_audit_log,
    )
