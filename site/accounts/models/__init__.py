"""The accounts room's models: people, trusts, schools and roles (core), the
school calendar (calendar) and remembered devices (devices)."""

from .calendar import ClosureKind, SchoolClosureDay, SchoolTerm
from .core import (
    BankHolidayRegion,
    HeadConcernsTo,
    Membership,
    PendingRoleGrant,
    Role,
    School,
    SchoolSettings,
    Trust,
    User,
    optional_person,
)
from .devices import RememberedDevice

__all__ = [
    "BankHolidayRegion",
    "ClosureKind",
    "HeadConcernsTo",
    "Membership",
    "PendingRoleGrant",
    "RememberedDevice",
    "Role",
    "School",
    "SchoolClosureDay",
    "SchoolSettings",
    "SchoolTerm",
    "Trust",
    "User",
    "optional_person",
]
