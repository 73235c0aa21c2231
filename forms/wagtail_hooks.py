from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from accounts.selectors import has_a_role
from chronicle import menu
from chronicle.menu import MenuItemFor

from . import views


@hooks.register("register_admin_urls")
def my_reports_url():
    return [path("my-reports/", views.my_reports, name="my_reports")]


@hooks.register(menu.CASEWORK)
def my_reports_menu_item():
    return MenuItemFor(
        _("My reports"),
        reverse("my_reports"),
        icon_name="form",
        order=100,
        shown=has_a_role,
    )


@hooks.register("filter_form_submissions_for_user")
def no_form_submissions(user, queryset):
    # Concerns live in records.Concern; Wagtail's submission listing and CSV export
    # must never show anything, even to page editors.
    return queryset.none()
