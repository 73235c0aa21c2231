from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from accounts.selectors import schools_where

from . import views


@hooks.register("register_admin_urls")
def api_token_urls():
    return [
        path("api-tokens/", views.token_list, name="api_tokens"),
        path(
            "api-tokens/<int:pk>/revoke/", views.token_revoke, name="api_token_revoke"
        ),
    ]


class RoleMenuItem(MenuItem):
    def is_shown(self, request):
        return schools_where(request.user).exists()


@hooks.register("register_admin_menu_item")
def api_tokens_menu_item():
    return RoleMenuItem(
        _("API tokens"), reverse("api_tokens"), icon_name="key", order=900
    )
