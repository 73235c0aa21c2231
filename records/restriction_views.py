"""The need-to-know pages' old module path, kept for records.wagtail_hooks (which
registers urlpatterns). The views are in records.restrictions.views."""

from .restrictions.views import urlpatterns

__all__ = ["urlpatterns"]
