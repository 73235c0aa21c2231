from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The admin's home page: one panel per role the user holds, and the branding."""

    name = "dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")
