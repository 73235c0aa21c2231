from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from accounts.selectors import schools_where

from . import views


@hooks.register("register_admin_urls")
def my_reports_url():
    return [path("my-reports/", views.my_reports, name="my_reports")]


class RoleMenuItem(MenuItem):
    def is_shown(self, request):
        return schools_where(request.user).exists()


@hooks.register("register_admin_menu_item")
def my_reports_menu_item():
    return RoleMenuItem(
        _("My reports"), reverse("my_reports"), icon_name="form", order=100
    )


@hooks.register("filter_form_submissions_for_user")
def no_form_submissions(user, queryset):
    # Concerns live in records.Concern; Wagtail's submission listing and CSV export
    # must never show anything, even to page editors.
    return queryset.none()
