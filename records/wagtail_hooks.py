from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from accounts.selectors import CASE_ROLES, schools_where

from . import file_audit_views, file_views, import_views


@hooks.register("register_admin_urls")
def childrens_file_urls():
    return [
        *file_views.urlpatterns,
        *import_views.urlpatterns,
        *file_audit_views.urlpatterns,
    ]


class CaseworkMenuItem(MenuItem):
    def is_shown(self, request):
        return schools_where(request.user, *CASE_ROLES).exists()


@hooks.register("register_admin_menu_item")
def childrens_files_menu_item():
    return CaseworkMenuItem(
        _("Children's files"),
        reverse("file_list"),
        name="childrens-files",
        icon_name="folder-open-inverse",
        order=49,
    )
