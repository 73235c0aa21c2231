from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from chronicle import menu

from .panels import panels_for


@hooks.register("construct_homepage_panels")
def role_dashboard(request, panels):
    # Wagtail's own panels are about editing pages; Chronicle's dashboard is the work.
    panels[:] = panels_for(request.user)


@hooks.register("construct_homepage_summary_items")
def no_page_summary(request, summary_items):
    summary_items.clear()


# Casework, Children, Reports and Settings: what each app registers with
# chronicle.menu's hooks, grouped (every role sees at most eight top items). A hook
# returns one item: one registration per group.
for _group in menu.group_menu_items():
    hooks.register("register_admin_menu_item", lambda group=_group: group)


@hooks.register("construct_main_menu")
def grouped_menu(request, menu_items):
    # Wagtail's own Reports and Settings are inside Chronicle's groups of the same
    # names. Wagtail's editor guide is about publishing pages, not safeguarding work.
    menu_items[:] = [
        item
        for item in menu_items
        if item.name != "help" and not menu.is_wagtails_own_group(item)
    ]


@hooks.register("construct_reports_menu")
def no_page_reports(request, menu_items):
    # Wagtail's page reports (locked pages, page history…) are for system
    # administrators; everyone else sees Chronicle's reports only.
    if not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items if menu.is_chronicles(item)]


@hooks.register("insert_global_admin_css")
def chronicle_css():
    return format_html(
        '<link rel="stylesheet" href="{}">', static("chronicle/chronicle.css")
    )
