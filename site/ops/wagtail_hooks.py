from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from chronicle import menu
from chronicle.menu import MenuItemFor

from . import urls
from .selectors import can_run_operations


@hooks.register("register_admin_urls")
def ops_urls():
    return [path("ops/", include(urls, namespace="ops"))]


@hooks.register(menu.SETTINGS)
def background_tasks_menu_item():
    return MenuItemFor(
        _("Background tasks"),
        reverse("ops:background_tasks"),
        icon_name="cogs",
        order=950,
        shown=can_run_operations,
    )
