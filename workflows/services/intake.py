"""Opening a concern: the one way a reported concern enters Chronicle.

The web form (forms.services) and the API (through the same form) call
concern_open. It stores the concern with records.services.concern_submit, starts its
process, then checks whether it makes a pattern for a child it names — in that
order, in one transaction: no concern is saved without its process, and a failure
anywhere saves nothing and keeps none of its files.

workflows.patterns is imported as a module (read at call time): pattern alerts notify
through the lower workflow services, so either may be imported first.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from records.models import Concern, ConcernAboutAdult
from records.services import concern_submit, documents_delete

from .. import patterns
from ..adults import services as adults
from .processes import concern_process_start


@transaction.atomic
def concern_open(
    *,
    attachments: Iterable[UploadedFile] = (),
    about_adult: Mapping[str, Any] | None = None,
    **fields: Any,
) -> tuple[Concern, bool]:
    """Store a reported concern (records.services.concern_submit: the same keyword
    arguments), start its process and raise any pattern review it completes.
    Returns (concern, created); a repeat of a submission already stored (a double
    click, a retry) returns that concern and starts nothing.

    A concern about an adult (KCSIE Part 4) names the adult: `about_adult` holds
    records.ConcernAboutAdult's fields (kind, person, name, role…), unless
    concern_submit stored that row itself. Such a concern opens the case
    manager's case (workflows.adults) instead of the DSL team's process."""
    concern, created = concern_submit(attachments=attachments, **fields)
    if not created:
        return concern, created
    # Read only when files came with it: a plain submission costs no query more.
    stored = [doc.file for doc in concern.attachments.all()] if attachments else []
    try:
        if about_adult is not None and not _names_an_adult(concern):
            about = ConcernAboutAdult(concern=concern, **about_adult)
            about.full_clean()
            about.save()
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
