from django.apps import AppConfig
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

        from .models import ConcernDraft

        # That a draft exists is logged; what was typed goes into the concern's own
        # entry when sent, not into the log at every autosave.
        auditlog.register(ConcernDraft, exclude_fields=["data", "saved_at"])
