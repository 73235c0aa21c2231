"""Retention: a child protection file is kept until the child's 25th birthday, then
reviewed. A legal hold (an inquiry, litigation, a police investigation) blocks its
destruction. Destruction is the only way a file is ever deleted.

selectors (the review queue, holds, certificates, what a destruction would remove),
services (holds; the destruction and its certificate), forms and views (the
*Retention review* pages; their URLs are views.urlpatterns). This package
re-exports the selectors and services.
"""

from .selectors import (
    RETENTION_YEARS,
    REVIEW_WINDOW_DAYS,
    DestructionScope,
    active_holds,
    born_on_or_before,
    certificates_visible_to,
    destruction_counts,
    destruction_preview,
    destruction_problems,
    destruction_scope,
    retention_queue,
    review_date,
)
from .services import file_destroy, hold_lift, hold_place

__all__ = [
    "RETENTION_YEARS",
    "REVIEW_WINDOW_DAYS",
    "DestructionScope",
    "active_holds",
    "born_on_or_before",
    "certificates_visible_to",
    "destruction_counts",
    "destruction_preview",
    "destruction_problems",
    "destruction_scope",
    "file_destroy",
    "hold_lift",
    "hold_place",
    "retention_queue",
    "review_date",
]
