from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from .panels import panels_for


@hooks.register("construct_homepage_panels")
def role_dashboard(request, panels):
    # Wagtail's own panels are about editing pages; Chronicle's dashboard is the work.
    panels[:] = panels_for(request.user)


@hooks.register("construct_homepage_summary_items")
def no_page_summary(request, summary_items):
    summary_items.clear()


@hooks.register("construct_main_menu")
def no_wagtail_help(request, menu_items):
    # Wagtail's editor guide is about publishing pages, not safeguarding work; its
    # own "Reports" (locked pages, page history) would sit beside Chronicle's
    # safeguarding reports under the same name. Superusers keep the latter.
    hidden = {"help"} if request.user.is_superuser else {"help", "reports"}
    menu_items[:] = [item for item in menu_items if item.name not in hidden]


@hooks.register("insert_global_admin_css")
def chronicle_css():
    return format_html(
        '<link rel="stylesheet" href="{}">', static("chronicle/chronicle.css")
    )
