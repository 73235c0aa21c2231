"""Opening a concern: the one way a reported concern enters Chronicle.

The web form (forms.services) and the API (through the same form) call
concern_open. It stores the concern with records.services.concern_submit, starts its
process, then checks whether it makes a pattern for a child it names — in that
order, in one transaction: no concern is saved without its process, and a failure
anywhere saves nothing and keeps none of its files.

A concern that goes to the case manager (Concern.Route.HEAD) names the adult it is
about (records.ConcernAboutAdult), stored in the same transaction: who receives it
follows from that adult (records.selectors.concerns_managed_by, case_managers).

workflows.patterns is imported as a module (read at call time): pattern alerts notify
through the lower workflow services, so either may be imported first.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Membership, School
from records.models import Concern, ConcernAboutAdult
from records.services import concern_submit, documents_delete

from .. import patterns
from ..adults import services as adults
from .processes import concern_process_start


def adult_check(
    *, school: School, route: str, about_adult: Mapping[str, Any] | None
) -> ConcernAboutAdult | None:
    """The adult a concern names, checked (not saved): required when it goes to
    the case manager, refused otherwise; a member of staff must hold a role at the
    school. The name of a member of staff is taken from their account."""
    if route != Concern.Route.HEAD:
        if about_adult:
            raise ValidationError(
                _("Only a concern that goes to the case manager names an adult.")
            )
        return None
    if not about_adult:
        raise ValidationError(
            {"adult_name": _("Say who the adult is that this concern is about.")}
        )
    adult = ConcernAboutAdult(**about_adult)
    if adult.person is not None:
        if not Membership.objects.filter(
            user=adult.person, school=school, user__is_active=True
        ).exists():
            raise ValidationError(
                {
                    "adult_person": _("Choose a member of staff at %(school)s.")
                    % {"school": school}
                }
            )
        adult.name = adult.person.get_full_name() or adult.person.username
    adult.full_clean(exclude=["concern"])
    return adult


@transaction.atomic
def concern_open(
    *,
    attachments: Iterable[UploadedFile] = (),
    about_adult: Mapping[str, Any] | None = None,
    **fields: Any,
) -> tuple[Concern, bool]:
    """Store a reported concern (records.services.concern_submit: the same keyword
    arguments) with the adult it names (about_adult: ConcernAboutAdult's fields,
    for a concern that goes to the case manager), start its process and raise any
    pattern review it completes. Returns (concern, created); a repeat of a
    submission already stored (a double click, a retry) returns that concern and
    starts nothing.

    A concern about an adult (KCSIE Part 4) opens the case manager's case
    (workflows.adults: a low-level review or an allegation) instead of the DSL
    team's process."""
    adult = adult_check(
        school=fields["school"], route=fields.get("route", ""), about_adult=about_adult
    )
    concern, created = concern_submit(attachments=attachments, **fields)
    if not created:
        return concern, created
    # Read only when files came with it: a plain submission costs no query more.
    stored = [doc.file for doc in concern.attachments.all()] if attachments else []
    try:
        if adult is not None:
            adult.concern = concern
            adult.save()
        if _names_an_adult(concern):
            adults.adult_case_open(concern=concern)
        else:
            concern_process_start(concern=concern)
            patterns.pattern_alerts_raise(concern=concern)
    except BaseException:
        documents_delete(stored)
        raise
    return concern, created


def _names_an_adult(concern: Concern) -> bool:
    return ConcernAboutAdult.objects.filter(concern=concern).exists()
