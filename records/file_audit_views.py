"""The file audit pages' old module path, kept for records.wagtail_hooks (which
registers urlpatterns). The views are in records.file_audits.views."""

from .file_audits.views import urlpatterns

__all__ = ["urlpatterns"]
