"""wagtail-modeladmin helpers: who may manage the lists, and the Merge button.

Rights come from the user's configurator role at a school (selectors), not from
Django model permissions, which are global rather than per school."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper

from .selectors import can_configure, editable_term_ids


class ConfiguratorPermissionHelper(PermissionHelper):
    def user_can_list(self, user):
        return can_configure(user)

    def user_can_create(self, user):
        return can_configure(user)

    def user_can_edit_obj(self, user, obj):
        return obj.pk in editable_term_ids(user)

    def user_can_inspect_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False  # terms are retired or merged, never deleted


class TermButtonHelper(ButtonHelper):
    def get_buttons_for_obj(self, obj, *args, **kwargs):
        buttons = super().get_buttons_for_obj(obj, *args, **kwargs)
        if not obj.merged_into_id and self.permission_helper.user_can_edit_obj(
            self.request.user, obj
        ):
            buttons.append(
                {
                    "url": reverse("taxonomy:taxonomy_merge", args=[obj.pk]),
                    "label": _("Merge…"),
                    "classname": "button button-small button-secondary",
                    "title": _("Merge this into another term"),
                }
            )
        return buttons
