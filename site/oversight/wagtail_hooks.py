from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from chronicle import menu
from chronicle.admin_urls import namespaced
from chronicle.menu import MenuItemFor

from . import views
from .selectors import can_browse_audit_log, oversight_schools


@hooks.register("register_admin_urls")
def audit_log_urls():
    return namespaced(
        "oversight",
        [
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
            path(
                "break-glass-register/",
                views.break_glass_register,
                name="break_glass_register",
            ),
        ],
    )


@hooks.register(menu.REPORTS)
def audit_log_menu_item():
    return MenuItemFor(
        _("Audit log"),
        reverse("oversight:audit_log"),
        icon_name="history",
        order=370,
        shown=can_browse_audit_log,
    )


def _oversees_a_school(user):
    return oversight_schools(user).exists()


@hooks.register(menu.REPORTS)
def break_glass_register_menu_item():
    """Heads and trust leads; a DSL reviews the same register on the break-glass
    page (records), and may open this one by its address."""
    return MenuItemFor(
        _("Break-glass register"),
        reverse("oversight:break_glass_register"),
        icon_name="warning",
        order=375,
        shown=_oversees_a_school,
    )
