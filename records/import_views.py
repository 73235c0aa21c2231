"""The pupil import pages' old module path, kept for records.wagtail_hooks (which
registers urlpatterns). The views are in records.roll.views."""

from .roll.views import urlpatterns

__all__ = ["urlpatterns"]
