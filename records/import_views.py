"""Pupil import from an MIS CSV export (admin pages). Filled in by the import work."""

urlpatterns = []
