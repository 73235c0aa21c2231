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
