from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """`manage.py demo`: synthetic schools, users, casework and files to try Chronicle.

    A top room: it may use every room below it and nothing imports it. No models.
    """

    name = "demo"
    label = "demo"
    verbose_name = _("Demo data")
