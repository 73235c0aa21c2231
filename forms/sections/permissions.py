"""Page rights for configurators, from their roles rather than from groups.

Wagtail gives page rights to groups (GroupPagePermission); Chronicle's rights come
from a person's configurator role at each school (accounts.Membership), which
changes on the Roles page. Rather than keep a group per school in step with the
roles, this policy adds, for each configurator, the rights to add, edit, publish,
unpublish, lock and delete forms in the sections forms.selectors says they may
edit, worked out once per request. Nobody holds rights on the tree's root any more
(accounts.roles used to give configurators that), so no configurator reaches
another school's forms, the trust's shared forms unless they configure every
school sharing them, or where another school's concerns go.

Wagtail's own page-permission groups still work as before, for a system
administrator who sets them up by hand.
"""

from django.contrib.auth.models import Permission
from wagtail.models import GroupPagePermission
from wagtail.permission_policies.pages import PagePermissionPolicy

from ..selectors import form_sections_editable_by

# No bulk_delete: a section (which holds forms) is never deleted from the editor.
FORM_EDITING = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")


class ConfiguratorPagePermissionPolicy(PagePermissionPolicy):
    def get_all_permissions_for_user(self, user):
        grants = list(super().get_all_permissions_for_user(user))
        if not user.is_active or user.is_anonymous or user.is_superuser:
            return grants
        sections = list(form_sections_editable_by(user))
        if not sections:
            return grants
        permissions = list(
            Permission.objects.filter(
                content_type__app_label="wagtailcore", codename__in=FORM_EDITING
            )
        )
        # Unsaved rows: Wagtail reads only .page and .permission from them.
        grants += [
            GroupPagePermission(page=section, permission=permission)
            for section in sections
            for permission in permissions
        ]
        return grants
