"""What forms does when a lower app says something happened.

Connected when this module is imported (ConcernFormsConfig.ready).
"""

from typing import Any

from django.dispatch import receiver

from accounts.models import Membership, Role
from accounts.signals import role_granted

from .sections.services import form_section_for_school


@receiver(role_granted, dispatch_uid="form_section_for_new_configurator")
def section_for_new_configurator(
    sender: Any, *, membership: Membership, **kwargs: Any
) -> None:
    """A configurator needs their school's section to build forms in: a school
    added since the last migrate gets it when its first configurator is named."""
    if membership.role == Role.CONFIGURATOR:
        form_section_for_school(school=membership.school)
