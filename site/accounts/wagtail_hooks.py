from django.conf import settings
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks

from chronicle import menu
from chronicle.admin_urls import namespaced
from chronicle.menu import MenuItemFor

from . import calendar_views, role_views, security_views
from .account_settings import EmailSettingsPanel
from .remembered import views as remembered_views
from .school_settings import views as school_settings_views
from .school_settings.selectors import can_see_school_settings
from .selectors import can_keep_a_calendar, can_reset_two_factor, can_see_roles


def school_calendar_urls():
    return [
        path("school-calendar/", calendar_views.index, name="school_calendar"),
        path(
            "school-calendar/<int:school_id>/",
            calendar_views.school_calendar,
            name="school_calendar_school",
        ),
        path(
            "school-calendar/<int:school_id>/terms/add/",
            calendar_views.term_add,
            name="school_calendar_term_add",
        ),
        path(
            "school-calendar/<int:school_id>/closure-days/add/",
            calendar_views.closure_day_add,
            name="school_calendar_closure_day_add",
        ),
        path(
            "school-calendar/terms/<int:pk>/remove/",
            calendar_views.term_remove,
            name="school_calendar_term_remove",
        ),
        path(
            "school-calendar/closure-days/<int:pk>/remove/",
            calendar_views.closure_day_remove,
            name="school_calendar_closure_day_remove",
        ),
    ]


@hooks.register("register_admin_urls")
def accounts_admin_urls():
    return namespaced(
        "accounts_admin",
        [*school_calendar_urls(), *two_factor_reset_urls(), *role_urls()],
    )


@hooks.register(menu.SETTINGS)
def school_calendar_menu_item():
    return MenuItemFor(
        _("School calendar"),
        reverse("accounts_admin:school_calendar"),
        icon_name="date",
        order=350,
        shown=can_keep_a_calendar,
    )


def two_factor_reset_urls():
    return [
        path(
            "two-factor-reset/",
            security_views.two_factor_reset_index,
            name="two_factor_reset",
        ),
        path(
            "two-factor-reset/<int:user_id>/",
            security_views.two_factor_reset_confirm,
            name="two_factor_reset_confirm",
        ),
    ]


@hooks.register(menu.SETTINGS)
def two_factor_reset_menu_item():
    return MenuItemFor(
        _("Reset two-factor"),
        reverse("accounts_admin:two_factor_reset"),
        icon_name="key",
        order=360,
        shown=can_reset_two_factor,
    )


def role_urls():
    return [
        path("roles/", role_views.roles_index, name="roles"),
        path("roles/give/", role_views.role_give, name="role_give"),
        path(
            "roles/waiting/<int:pk>/",
            role_views.role_grant_decide,
            name="role_grant_decide",
        ),
        path(
            "roles/<int:pk>/take-away/",
            role_views.role_take_away,
            name="role_take_away",
        ),
    ]


@hooks.register(menu.SETTINGS)
def roles_menu_item():
    return MenuItemFor(
        _("Roles"),
        reverse("accounts_admin:roles"),
        icon_name="group",
        order=355,
        shown=can_see_roles,
    )


@hooks.register("register_account_settings_panel")
def email_settings_panel(request, user, profile):
    return EmailSettingsPanel(request, user, profile)


@hooks.register("register_admin_urls")
def school_settings_urls():
    return [
        path("school-settings/", school_settings_views.index, name="school_settings"),
        path(
            "school-settings/<int:school_id>/",
            school_settings_views.school_settings,
            name="school_settings_school",
        ),
    ]


@hooks.register("register_admin_urls")
def remembered_device_urls():
    return [
        path(
            "remembered-devices/",
            remembered_views.remembered_devices_index,
            name="remembered_devices",
        ),
        path(
            "remembered-devices/<int:pk>/forget/",
            remembered_views.remembered_device_forget,
            name="remembered_device_forget",
        ),
        path(
            "remembered-devices/forget-all/",
            remembered_views.remembered_devices_forget_all,
            name="remembered_devices_forget_all",
        ),
        path(
            "two-factor-reset/<int:user_id>/forget-devices/",
            remembered_views.colleague_devices_forget,
            name="two_factor_reset_forget_devices",
        ),
    ]


@hooks.register(menu.SETTINGS)
def school_settings_menu_item():
    return MenuItemFor(
        _("School settings"),
        reverse("school_settings"),
        icon_name="cog",
        order=345,
        shown=can_see_school_settings,
    )


@hooks.register("register_account_menu_item")
def remembered_devices_account_item(request):
    return {
        "url": reverse("remembered_devices"),
        "label": _("Remembered devices"),
        "help_text": _(
            "Phones and computers where you sign in without a code; forget them here."
        ),
    }


@hooks.register("insert_global_admin_js")
def idle_sign_out_warning():
    # The warning before SessionTimeoutMiddleware's idle sign-out (WCAG 2.2.1): the
    # script reads the limit and its words from here; it runs only on signed-in
    # admin pages (those with the sidebar), not on sign-in or two-factor pages.
    idle = settings.CHRONICLE_SESSION_IDLE_MINUTES * 60
    warn = min(120, idle // 2)  # two minutes, or half a (very short) limit
    return format_html(
        '<script src="{}" defer data-chronicle-idle data-idle-seconds="{}"'
        ' data-warn-seconds="{}" data-keep-alive-url="{}" data-sign-out-url="{}"'
        ' data-message="{}" data-title="{}" data-stay="{}" data-leave="{}"></script>',
        static("chronicle/idle-warning.js"),
        idle,
        warn,
        reverse("accounts:keep_alive"),
        reverse("wagtailadmin_logout"),
        ngettext(
            "You will be signed out in %(minutes)d minute to protect children's "
            "records.",
            "You will be signed out in %(minutes)d minutes to protect children's "
            "records.",
            max(1, warn // 60),
        )
        % {"minutes": max(1, warn // 60)},
        _("Are you still there?"),
        _("Stay signed in"),
        _("Sign out now"),
    )
