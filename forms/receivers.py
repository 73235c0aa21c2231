"""What forms does when a lower app says something happened.

Connected when this module is imported (ConcernFormsConfig.ready).
"""

from typing import Any

from django.dispatch import receiver

from accounts.models import Role, School
from accounts.signals import RoleChange, role_changed

from .sections.services import form_section_for_school


@receiver(role_changed, dispatch_uid="form_section_for_new_configurator")
def section_for_new_configurator(
    sender: Any, *, school: School, role: Role, change: RoleChange, **kwargs: Any
) -> None:
    """A configurator needs their school's section to build forms in: a school
    added since the last migrate gets it when its first configurator is named."""
    if role == Role.CONFIGURATOR and change == RoleChange.GIVEN:
        form_section_for_school(school=school)
