"""Need to know: restricting a concern or a whole file to named people, and the
break-glass access that opens one for a while, with a reason, for someone else.

selectors (the restriction on a record, who may be named, who may restrict or
break the glass), services (restrict, lift, open and close break-glass), forms and
views (their URLs are views.urlpatterns). The selectors that apply restrictions
everywhere are in records.selectors. This package re-exports the selectors and
services, and the two records.selectors it was always read with.
"""

from ..selectors import CONCERN_REFERENCE, open_break_glass, open_restrictions
from .selectors import (
    Record,
    break_glass_covering,
    break_glass_of,
    break_glass_register,
    break_glass_target,
    break_glass_told,
    can_break_glass,
    check_may_break_glass,
    eligible_people,
    may_restrict,
    restriction_of,
)
from .services import (
    BREAK_GLASS_MINUTES,
    MIN_REASON,
    break_glass_close,
    break_glass_open,
    restriction_lift,
    restriction_set,
)

__all__ = [
    "BREAK_GLASS_MINUTES",
    "CONCERN_REFERENCE",
    "MIN_REASON",
    "Record",
    "break_glass_close",
    "break_glass_covering",
    "break_glass_of",
    "break_glass_open",
    "break_glass_register",
    "break_glass_target",
    "break_glass_told",
    "can_break_glass",
    "check_may_break_glass",
    "eligible_people",
    "may_restrict",
    "open_break_glass",
    "open_restrictions",
    "restriction_lift",
    "restriction_of",
    "restriction_set",
]
