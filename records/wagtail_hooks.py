from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.search import SearchArea

from accounts.models import Role
from accounts.selectors import schools_where, works_cases
from chronicle import menu
from chronicle.admin_urls import namespaced
from chronicle.menu import MenuItemFor

from . import file_views
from .file_audits import views as file_audit_views
from .file_audits.selectors import audit_schools
from .models import FileAuditAction
from .restrictions import views as restriction_views
from .retention import views as retention_views
from .roll import views as import_views


@hooks.register("register_admin_urls")
def childrens_file_urls():
    return namespaced(
        "records_admin",
        [
            *file_views.urlpatterns,
            *import_views.urlpatterns,
            *file_audit_views.urlpatterns,
            *retention_views.urlpatterns,
            *restriction_views.urlpatterns,
        ],
    )


@hooks.register(menu.CHILDREN)
def childrens_files_menu_item():
    return MenuItemFor(
        _("Children's files"),
        reverse("records_admin:file_list"),
        name="childrens-files",
        icon_name="folder-open-inverse",
        order=49,
        shown=works_cases,
    )


class ChildSearchArea(SearchArea):
    """The sidebar's search box finds children (by name or UPN) for those who may
    open files; Wagtail's page search stays for those who edit pages and have no
    files. The results are the Children's files list, through the same selector."""

    def is_shown(self, request):
        return works_cases(request.user)


@hooks.register("register_admin_search_area")
def child_search_area():
    return ChildSearchArea(
        _("Children"),
        reverse("records_admin:file_list"),
        name="children",
        icon_name="folder-open-inverse",
        order=10,  # before Wagtail's pages (100): the sidebar uses the first shown
    )


class AuditMenuItem(MenuItem):
    def is_shown(self, request):
        return audit_schools(request.user).exists()


@hooks.register(menu.CHILDREN)
def file_audits_menu_item():
    return AuditMenuItem(
        _("File audits"),
        reverse("records_admin:file_audit_index"),
        name="file-audits",
        icon_name="doc-full-inverse",
        order=55,
    )


class AuditActionsMenuItem(MenuItem):
    """Shown to anyone with an open action from a file audit, with the count."""

    def is_shown(self, request):
        return self._count(request) > 0

    def _count(self, request):
        if not hasattr(request, "_audit_actions"):
            request._audit_actions = FileAuditAction.objects.filter(
                assigned_to=request.user, done_at__isnull=True
            ).count()
        return request._audit_actions

    def render_component(self, request):
        component = super().render_component(request)
        component.label = f"{self.label} ({self._count(request)})"
        return component


@hooks.register(menu.CASEWORK)
def audit_actions_menu_item():
    return AuditActionsMenuItem(
        _("My audit actions"),
        reverse("records_admin:my_audit_actions"),
        name="my-audit-actions",
        icon_name="tasks",
        order=56,
    )


def _is_a_dsl(request):
    """Whether the user is a DSL somewhere: asked once per page, by two items."""
    if not hasattr(request, "_chronicle_is_dsl"):
        request._chronicle_is_dsl = schools_where(request.user, Role.DSL).exists()
    return request._chronicle_is_dsl


class RetentionMenuItem(MenuItem):
    def is_shown(self, request):
        return _is_a_dsl(request)


@hooks.register(menu.CHILDREN)
def retention_menu_item():
    return RetentionMenuItem(
        _("Retention review"),
        reverse("records_admin:retention_queue"),
        name="retention-review",
        icon_name="history",
        order=56,
    )


class BreakGlassMenuItem(MenuItem):
    """System administrators (their only way to case content) and DSLs (who review
    every break-glass access at their schools). Deputies reach it from a file."""

    def is_shown(self, request):
        return request.user.is_superuser or _is_a_dsl(request)


@hooks.register(menu.CHILDREN)
def break_glass_menu_item():
    return BreakGlassMenuItem(
        _("Break-glass access"),
        reverse("records_admin:break_glass"),
        name="break-glass",
        icon_name="warning",
        order=57,
    )


@hooks.register("insert_global_admin_css")
def body_map_css():
    # The body map shows on the concern, the file, task pages and the forms.
    return format_html(
        '<link rel="stylesheet" href="{}">', static("records/body-map.css")
    )
