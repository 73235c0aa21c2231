from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    """Viewflow processes (concern, transfer, file audit), task views, queues."""

    name = "workflows"
    label = "workflows"
    verbose_name = _("Workflows")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from auditlog.registry import auditlog

        from accounts.signals import calendar_changed, role_granted
        from records.signals import (
            break_glass_opened,
            concern_submitted,
            file_destroying,
            pupil_joined,
        )

        from .models import CaseProcess, CaseworkSettings, PatternReview, PatternRule
        from .receivers import (
            ask_about_transfer_in,
            forget_destroyed_file,
            raise_pattern_alerts,
            recompute_due_dates,
            start_concern_process,
            tell_dsls_of_break_glass,
            tell_dsls_of_new_role,
        )

        concern_submitted.connect(start_concern_process, dispatch_uid="start_concern")
        # Connected after the process starts: receivers run in connection order.
        concern_submitted.connect(raise_pattern_alerts, dispatch_uid="pattern_alert")
        calendar_changed.connect(recompute_due_dates, dispatch_uid="due_dates")
        pupil_joined.connect(ask_about_transfer_in, dispatch_uid="transfer_in")
        file_destroying.connect(forget_destroyed_file, dispatch_uid="destroyed_file")
        break_glass_opened.connect(tell_dsls_of_break_glass, dispatch_uid="glass")
        role_granted.connect(tell_dsls_of_new_role, dispatch_uid="role_granted")
        auditlog.register(CaseProcess, include_fields=["status", "urgent", "cycle"])
        auditlog.register(CaseworkSettings, exclude_fields=["updated_at"])
        auditlog.register(PatternRule)
        auditlog.register(PatternReview, m2m_fields={"concerns"})
