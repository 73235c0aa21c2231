from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from accounts.selectors import has_a_role
from chronicle import menu
from chronicle.admin_urls import namespaced
from chronicle.menu import MenuItemFor

from . import selectors, views
from .roll_sync import selectors as roll_sync_selectors
from .roll_sync import views as roll_sync_views
from .webhooks import selectors as webhook_selectors
from .webhooks import views as webhook_views


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
            *webhook_views.urlpatterns,
        ],
    )


@hooks.register(menu.SETTINGS)
def api_tokens_menu_item():
    return MenuItemFor(
        _("API tokens"),
        reverse("api:api_tokens"),
        icon_name="key",
        order=900,
        shown=selectors.offers_api_tokens,
    )


@hooks.register("register_account_menu_item")
def api_tokens_account_item(request):
    # Any member of staff may make a token (a school portal submitting concerns);
    # the sidebar offers it only to those likely to need it (offers_api_tokens).
    if not has_a_role(request.user):
        return None
    return {
        "url": reverse("api:api_tokens"),
        "label": _("API tokens"),
        "help_text": _("Tokens for programs that use Chronicle on your behalf."),
    }


@hooks.register(menu.SETTINGS)
def service_tokens_menu_item():
    return MenuItemFor(
        _("Roll sync tokens"),
        reverse("api:service_tokens"),
        icon_name="key",
        order=910,
        shown=roll_sync_selectors.manages_service_tokens,
    )


@hooks.register(menu.SETTINGS)
def webhooks_menu_item():
    return MenuItemFor(
        _("Webhooks"),
        reverse("api:webhooks"),
        icon_name="link",
        order=920,
        shown=webhook_selectors.manages_webhooks,
    )
