from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Drawing down the data: counts, trends and exports for DSLs, heads and trusts."""

    name = "reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # The pre-counted figures follow every save and deletion of a concern.
        from . import rollups  # noqa: F401
