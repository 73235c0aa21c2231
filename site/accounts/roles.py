"""What each staff role may do, as Django groups and permissions.

A Membership says who holds which role at which school; the user's groups are the
union of their roles (kept in step by services.user_sync_role_groups). Object-level
rules (which school's records) live in selectors; groups only open the admin's doors.
To give a role a new permission, add it here: groups are rebuilt after every migrate.
"""

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission

from .models import Role

EVERYONE = ["wagtailadmin.access_admin"]

# Model permissions are global in Django, not per school: a DSL given
# records.view_pupil would see every school's pupils in any generic admin view. So
# roles grant no model permission on case data; each feature's views check the
# user's Membership through a selector (e.g. records.selectors.pupils_visible_to).
ROLE_GROUPS = {
    Role.STAFF: ("Staff", EVERYONE),
    Role.DSL: ("Designated safeguarding leads", EVERYONE),
    Role.DEPUTY_DSL: ("Deputy DSLs", EVERYONE),
    Role.HEAD: ("Heads and managers", EVERYONE),
    Role.CONFIGURATOR: ("Configurators", EVERYONE),
}


def group_for(role):
    name, _perms = ROLE_GROUPS[Role(role)]
    return Group.objects.get_or_create(name=name)[0]


def _permissions(names):
    wanted = {tuple(name.split(".", 1)) for name in names}
    perms = Permission.objects.select_related("content_type").filter(
        codename__in={codename for _app, codename in wanted}
    )
    return [p for p in perms if (p.content_type.app_label, p.codename) in wanted]


def sync_role_groups():
    """Create each role's group and set its permissions to exactly those above.
    Configurators' page rights (their schools' concern forms) are not a group's:
    forms.sections.permissions works them out from their roles."""
    for role in Role:
        _name, names = ROLE_GROUPS[role]
        group_for(role).permissions.set(_permissions(names))


def sync_role_groups_after_migrate(*, app_config, **kwargs):
    """post_migrate is sent once per app; permissions of every app exist only after
    the last one, so the groups are built then."""
    if app_config is list(global_apps.get_app_configs())[-1]:
        sync_role_groups()
