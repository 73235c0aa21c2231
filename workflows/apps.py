from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    """Viewflow processes (concern, transfer, file audit), task views, queues."""

    name = "workflows"
    label = "workflows"
    verbose_name = _("Workflows")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Django's place for these: they need the models loaded. Importing them
        # registers the audited models and connects the receivers.
        from . import audit_registration, receivers  # noqa: F401
