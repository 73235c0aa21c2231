"""Starting and reopening a concern's process.

The flows are imported as modules (`flows.ConcernFlow` read at call time): the flow
handlers call the lower workflow services, so either may be imported first.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import PROCESS, STATUS

from accounts.models import User
from records.models import Concern

from .. import flows
from ..models import CaseProcess

# A process still under way: Viewflow marks a started process "STARTED".
OPEN_PROCESS = (PROCESS.NEW, STATUS.STARTED)


def concern_process_start(*, concern: Concern) -> CaseProcess:
    """Start the concern's process, inside the submission's transaction."""
    return flows.ConcernFlow.start.run(concern=concern)


def concern_has_open_process(concern: Concern) -> bool:
    return concern.processes.filter(
        flow_class=flows.ConcernFlow, status__in=OPEN_PROCESS
    ).exists()


@transaction.atomic
def concern_reopen(
    *, concern: Concern, reason: str, user: User | None = None
) -> CaseProcess:
    """Open a new cycle of work at the decision step, for a review or because a DSL
    decides to. The reason is kept on the closure it reopens."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the concern is being reopened.")})
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.route == Concern.Route.HEAD:
        raise ValidationError(
            _(
                "A concern about an adult is not reopened: its case manager records "
                "new information as a new concern about the adult."
            )
        )
    if concern.status != Concern.Status.CLOSED or concern_has_open_process(concern):
        raise ValidationError(_("This concern is already open."))
    cycle = (concern.processes.aggregate(n=Max("cycle"))["n"] or 0) + 1
    for closure in concern.closures.filter(reopened_at__isnull=True):
        closure.reopened_at = timezone.now()
        closure.reopen_reason = reason
        closure.save(update_fields=["reopened_at", "reopen_reason"])
    concern.status = Concern.Status.IN_PROGRESS
    concern.save(update_fields=["status"])
    return flows.ConcernFlow.reopen.run(concern=concern, cycle=cycle)
