from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaxonomyConfig(AppConfig):
    """Vocabularies: concern categories, agencies, locations, profile flags."""

    name = "taxonomy"
    label = "taxonomy"
    verbose_name = _("Categories and vocabularies")
    default_auto_field = "django.db.models.BigAutoField"
