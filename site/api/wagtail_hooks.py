from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from accounts.selectors import has_a_role
from chronicle import menu
from chronicle.admin_urls import namespaced
from chronicle.menu import MenuItemFor

from . import views
from .roll_sync import selectors as roll_sync_selectors
from .roll_sync import views as roll_sync_views


@hooks.register("register_admin_urls")
def api_token_urls():
    return namespaced(
        "api",
        [
            path("api-tokens/", views.token_list, name="api_tokens"),
            path(
                "api-tokens/<int:pk>/revoke/",
                views.token_revoke,
                name="api_token_revoke",
            ),
            *roll_sync_views.urlpatterns,
        ],
    )


@hooks.register(menu.SETTINGS)
def api_tokens_menu_item():
    return MenuItemFor(
        _("API tokens"),
        reverse("api:api_tokens"),
        icon_name="key",
        order=900,
        shown=has_a_role,
    )


@hooks.register(menu.SETTINGS)
def service_tokens_menu_item():
    return MenuItemFor(
        _("Roll sync tokens"),
        reverse("api:service_tokens"),
        icon_name="key",
        order=910,
        shown=roll_sync_selectors.manages_service_tokens,
    )
