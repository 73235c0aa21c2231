from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users, schools and trusts, staff roles, and the two-factor gate."""

    name = "accounts"
    label = "accounts"
    verbose_name = _("Accounts and schools")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import audit_registration, roles, signals  # noqa: F401 (receivers)

        audit_registration.register()
        # Permissions exist only after every app has migrated, so the role groups are
        # (re)built then, and a new permission in roles.py reaches every install.
        post_migrate.connect(roles.sync_role_groups_after_migrate)
