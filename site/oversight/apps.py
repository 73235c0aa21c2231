from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    """The pages from which the audit log is read: for DSLs, their schools' entries,
    per record and per person, and the CSV export. The log itself (the chain, the
    writing of entries) is the audit app's, below every other app; these pages
    read other apps' records, so they sit at the top."""

    name = "oversight"
    label = "oversight"
    verbose_name = _("Oversight")
