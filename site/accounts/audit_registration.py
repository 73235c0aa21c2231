"""Which account models the audit log follows, and what it must never copy."""

from auditlog.registry import auditlog
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import (
    Membership,
    PendingRoleGrant,
    School,
    SchoolClosureDay,
    SchoolTerm,
    Trust,
    User,
)

DEVICE_FIELDS = ["user", "name", "confirmed"]


def register():
    auditlog.register(
        User,
        exclude_fields=["password", "last_login"],
        m2m_fields={"groups", "user_permissions"},
    )
    auditlog.register(Trust)
    auditlog.register(School)
    auditlog.register(Membership)
    # Who proposed a role and who confirmed or declined it.
    auditlog.register(PendingRoleGrant)
    # The school calendar moves every school-day deadline: who changed it is kept.
    auditlog.register(SchoolTerm)
    auditlog.register(SchoolClosureDay)
    # Device secrets, counters and backup codes never reach the log; enrolment and
    # removal of a device (a 2FA reset) do.
    auditlog.register(TOTPDevice, include_fields=DEVICE_FIELDS)
    auditlog.register(StaticDevice, include_fields=DEVICE_FIELDS)
