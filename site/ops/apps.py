from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the service: retries and failures of background tasks, and the
    application's own schedule (manage.py run_scheduler)."""

    name = "ops"
    label = "ops"
    verbose_name = _("Operations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import retries  # noqa: F401 - connects the task_finished receiver
