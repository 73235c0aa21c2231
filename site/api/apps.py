from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The headless JSON API (/api/v1/) and the personal tokens that open it."""

    name = "api"
    label = "api"
    verbose_name = _("API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import ApiToken, ServiceToken
        from .webhooks import receivers  # noqa: F401 (connects the signals)
        from .webhooks.models import WebhookEndpoint

        # Creation and revocation are logged with their actor; the secret's hash
        # never is, and the last-used time changes by a bulk update (each call is
        # logged as an ACCESS entry instead).
        auditlog.register(ApiToken, exclude_fields=["secret_hash", "last_used_at"])
        auditlog.register(ServiceToken, exclude_fields=["secret_hash", "last_used_at"])
        auditlog.register(WebhookEndpoint, exclude_fields=["secret"])
