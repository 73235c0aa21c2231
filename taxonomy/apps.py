from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaxonomyConfig(AppConfig):
    """Vocabularies: concern categories, agencies, locations, profile flags."""

    name = "taxonomy"
    label = "taxonomy"
    verbose_name = _("Categories and vocabularies")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import VOCABULARY_MODELS, Term

        # Saves through a proxy send signals with the proxy as sender: register each.
        for model in [Term, *VOCABULARY_MODELS]:
            auditlog.register(model, exclude_fields=["updated_at"])
