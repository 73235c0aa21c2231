from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ConcernFormsConfig(AppConfig):
    """Configurable concern forms.

    Labelled concern_forms: a label of "forms" would clash with django.forms.
    """

    name = "forms"
    label = "concern_forms"
    verbose_name = _("Concern forms")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from auditlog.registry import auditlog
        from wagtail.models import Page
        from wagtail.permissions import register_permission_policy

        from . import receivers  # noqa: F401 (connects them)
        from .models import ConcernDraft
        from .sections.permissions import ConfiguratorPagePermissionPolicy
        from .sections.services import form_sections_ensure_after_migrate

        # That a draft exists is logged; what was typed goes into the concern's own
        # entry when sent, not into the log at every autosave.
        auditlog.register(ConcernDraft, exclude_fields=["data", "saved_at"])
        # Configurators' page rights: their schools' form sections, nothing else.
        register_permission_policy(Page, ConfiguratorPagePermissionPolicy())
        post_migrate.connect(form_sections_ensure_after_migrate)
