"""The admin menu, grouped by what people do, for every app's wagtail_hooks.

Four top-level groups, each a submenu of the items the apps register with its hook:

- CASEWORK: workflow status, transfers, my reports… (My tasks, Team queue and
  Notifications stay at the top level, with their counts)
- CHILDREN: children's files and what is done to them (audits, retention…)
- REPORTS: the safeguarding reports, workflow health, the audit log (and, for
  system administrators, Wagtail's own page reports: the same hook)
- SETTINGS: lists, roles, the calendar, API tokens, background tasks (and, for
  system administrators, Wagtail's own settings: the same hook)

so no role sees more than eight top-level items (tests/test_admin_menu.py). A group
is shown when any of its items is; each item is shown only to the users its own
selector accepts, as before, and what it shows is worked out once per request.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import __version__ as wagtail_version
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.menu import reports_menu as wagtail_reports_menu
from wagtail.admin.menu import settings_menu as wagtail_settings_menu
from wagtail.admin.ui.sidebar import SubMenuItem as SubMenuItemComponent

# The hooks an app registers a menu item with, one per group.
CASEWORK = "register_casework_menu_item"
CHILDREN = "register_children_menu_item"
REPORTS = "register_reports_menu_item"  # Wagtail's own reports menu
SETTINGS = "register_settings_menu_item"  # Wagtail's own settings menu


def _once(request, key, work):
    """work(), once per request (the menu asks each item twice: shown? then draw)."""
    cache = request.__dict__.setdefault("_chronicle_menu", {})
    if key not in cache:
        cache[key] = work()
    return cache[key]


class MenuItemFor(MenuItem):
    """A menu item shown only to the users `shown(user)` accepts: the same selector
    the page's view checks. Hiding the item is a courtesy; the view still refuses
    everyone else."""

    def __init__(self, label, url, *, shown, **kwargs):
        super().__init__(label, url, **kwargs)
        self.shown = shown

    def is_shown(self, request):
        # Keyed by the selector: items asking the same question share one answer.
        return _once(request, self.shown, lambda: bool(self.shown(request.user)))


class GroupMenuItem(SubmenuMenuItem):
    """A top-level item opening the submenu of the items in `menu`; shown when any
    of them is."""

    def __init__(self, label, menu, *, footer_for_superusers="", **kwargs):
        super().__init__(label, menu, **kwargs)
        self.footer_for_superusers = footer_for_superusers

    def items_for(self, request):
        return _once(
            request, id(self), lambda: self.menu.menu_items_for_request(request)
        )

    def is_shown(self, request):
        return bool(self.items_for(request))

    def render_component(self, request):
        items = sorted(self.items_for(request), key=lambda item: item.order)
        return SubMenuItemComponent(
            self.name,
            self.label,
            [item.render_component(request) for item in items],
            icon_name=self.icon_name,
            classname=self.classname,
            attrs=self.attrs,
            footer_text=(
                self.footer_for_superusers if request.user.is_superuser else ""
            ),
        )


casework_menu = Menu(register_hook_name=CASEWORK)
children_menu = Menu(register_hook_name=CHILDREN)


def group_menu_items():
    """The four groups, each registered once as a top-level item (dashboard's
    wagtail_hooks)."""
    return [
        GroupMenuItem(
            _("Casework"), casework_menu, name="casework", icon_name="tasks", order=55
        ),
        GroupMenuItem(
            _("Children"),
            children_menu,
            name="children",
            icon_name="folder-open-inverse",
            order=60,
        ),
        GroupMenuItem(
            _("Reports"),
            wagtail_reports_menu,
            name="reports",
            icon_name="table",
            order=70,
        ),
        GroupMenuItem(
            _("Settings"),
            wagtail_settings_menu,
            name="settings",
            icon_name="cogs",
            order=10000,
            footer_for_superusers=f"Wagtail v{wagtail_version}",
        ),
    ]


def is_wagtails_own_group(item):
    """Wagtail's own Reports and Settings items: the groups above, over the same
    menus, replace them."""
    return not isinstance(item, GroupMenuItem) and getattr(item, "menu", None) in (
        wagtail_reports_menu,
        wagtail_settings_menu,
    )


def is_chronicles(item):
    """An item of Chronicle's own (Wagtail's page reports are not)."""
    return isinstance(item, MenuItemFor | GroupMenuItem)
