"""The retention pages' old module path, kept for records.wagtail_hooks (which
registers urlpatterns). The views are in records.retention.views."""

from .retention.views import urlpatterns

__all__ = ["urlpatterns"]
