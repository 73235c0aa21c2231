from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from accounts.selectors import has_a_role
from chronicle import menu
from chronicle.admin_urls import namespaced
from chronicle.menu import MenuItemFor

from . import views
from .models import FormSection


@hooks.register("register_admin_urls")
def my_reports_url():
    return namespaced(
        "forms", [path("my-reports/", views.my_reports, name="my_reports")]
    )


@hooks.register(menu.CASEWORK)
def my_reports_menu_item():
    return MenuItemFor(
        _("My reports"),
        reverse("forms:my_reports"),
        icon_name="form",
        order=100,
        shown=has_a_role,
    )


@hooks.register("filter_form_submissions_for_user")
def no_form_submissions(user, queryset):
    # Concerns live in records.Concern; Wagtail's submission listing and CSV export
    # must never show anything, even to page editors.
    return queryset.none()


@hooks.register("construct_main_menu")
def pages_are_concern_forms(request, menu_items):
    # The page tree holds concern forms and nothing else.
    for item in menu_items:
        if item.name == "explorer":
            item.label = _("Concern forms")


# A section of forms is Chronicle's (one per school, one shared per trust): its
# forms are edited, never the section itself, except by a system administrator.
def _refuse_on_section(request, page):
    if page.specific_class is FormSection and not request.user.is_superuser:
        messages.error(
            request,
            _("“%(section)s” is a group of forms: edit the forms inside it.")
            % {"section": page.title},
        )
        return redirect("wagtailadmin_explore", page.pk)
    return None


for _hook in (
    "before_edit_page",
    "before_delete_page",
    "before_unpublish_page",
    "before_copy_page",
):
    hooks.register(_hook, _refuse_on_section)


@hooks.register("before_move_page")
def no_moving_sections(request, page, destination):
    return _refuse_on_section(request, page)


@hooks.register("before_bulk_action")
def no_bulk_actions_on_sections(request, action_type, objects, action):
    if action_type != "page":
        return None
    for page in objects:
        refused = _refuse_on_section(request, page)
        if refused:
            return refused
    return None
