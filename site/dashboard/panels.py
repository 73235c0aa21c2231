"""Dashboard panels, one per kind of work. Which panels a user gets is decided by
their roles (selectors), never by the template.

Wagtail shows panels by their `order`: the work comes first (a DSL's urgent and
overdue tasks, then a head's oversight, then reporting a concern), and the list of
the user's roles, which rarely changes, last."""

from wagtail.admin.ui.components import Component

from accounts.models import Role
from accounts.school_settings.selectors import schools_with_nowhere_for_head_concerns
from accounts.selectors import CASE_ROLES, memberships_of, roles_of, schools_where
from forms.selectors import concern_forms_for, form_sections_editable_by
from records.selectors import concerns_reported_by, pupils_visible_to
from workflows.selectors import my_tasks, overdue, reach_of, team_queue
from workflows.status import open_tasks
from workflows.views import request_reach


class UserPanel(Component):
    """A panel about the signed-in user's own schools."""

    def __init__(self, user):
        self.user = user


class RolePanel(UserPanel):
    order = 60
    template_name = "dashboard/panels/roles.html"

    def get_context_data(self, parent_context=None):
        return {"memberships": memberships_of(self.user)}


class ReportingPanel(UserPanel):
    """Every member of staff: report a concern, see what they reported."""

    order = 30
    template_name = "dashboard/panels/reporting.html"

    def get_context_data(self, parent_context=None):
        return {
            "forms": concern_forms_for(self.user),
            "reports": concerns_reported_by(self.user)[:5],
        }


class CaseworkPanel(UserPanel):
    """DSLs and deputies: their schools' queues and children."""

    order = 10
    template_name = "dashboard/panels/casework.html"

    def get_context_data(self, parent_context=None):
        schools = schools_where(self.user, *CASE_ROLES)
        on_roll = pupils_visible_to(self.user).filter(date_left__isnull=True)
        # The menu has resolved the user's task reach for this request already.
        request = parent_context.get("request") if parent_context else None
        reach = request_reach(request) if request else reach_of(self.user)
        queue = team_queue(self.user, reach=reach)
        mine = my_tasks(self.user, reach=reach)
        return {
            "schools": schools,
            "pupils_on_roll": on_roll.count(),
            "queue": queue.count(),
            "urgent": queue.filter(urgent=True).count(),
            "mine": mine.count(),
            "overdue": overdue(mine).count(),
        }


class OversightPanel(UserPanel):
    """Heads and managers: workflow status and trends, without case content."""

    order = 20
    template_name = "dashboard/panels/oversight.html"

    def get_context_data(self, parent_context=None):
        schools = schools_where(self.user, Role.HEAD)
        tasks = open_tasks(self.user).filter(action__isnull=True)
        return {
            "schools": schools,
            "open_concerns": tasks.values("concern").distinct().count(),
            "nowhere": schools_with_nowhere_for_head_concerns(self.user),
            "overdue": overdue(tasks).count(),
        }


class ConfigurationPanel(UserPanel):
    """Configurators: the forms and categories staff see."""

    order = 40
    template_name = "dashboard/panels/configuration.html"

    def get_context_data(self, parent_context=None):
        return {"sections": form_sections_editable_by(self.user)}


def panels_for(user):
    roles = roles_of(user)
    panels: list[UserPanel] = [RolePanel(user)]
    if roles:
        panels.append(ReportingPanel(user))
    if roles & set(CASE_ROLES):
        panels.append(CaseworkPanel(user))
    if Role.HEAD in roles:
        panels.append(OversightPanel(user))
    if Role.CONFIGURATOR in roles:
        panels.append(ConfigurationPanel(user))
    return panels
