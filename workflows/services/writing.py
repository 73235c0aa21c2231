"""Writing on a task's step: every step's service goes through one of these.

step_complete runs the step's write under the process lock (select_for_update on
PostgreSQL), re-reading the task and checking the user still holds it, then moves
the process on, all or nothing. step_write does the same for a write that leaves the
step open (a referral's contact recorded, a transfer's bundle checked). A second
person acting on the same task gets a TaskConflict saying what happened, never a
silent overwrite.
"""

from collections.abc import Callable
from typing import TypeVar

from django.utils.translation import gettext as _

from accounts.models import User

from ..models import OPEN, CaseProcess, CaseTask
from .claims import holder_name
from .conflicts import TaskConflict

T = TypeVar("T")


# Writing on a step -------------------------------------------------------------------


def step_complete(task: CaseTask, user: User, write: Callable[[CaseProcess], T]) -> T:
    """Run `write(process)` and move the process on, under the process lock."""
    with task.activation() as activation:
        task = activation.task
        if task.status not in OPEN:
            raise TaskConflict(_("This task has already been completed."))
        if not activation.flow_task.can_execute(user, task):
            holder = holder_name(task)
            raise TaskConflict(
                _("%(name)s holds this task now.") % {"name": holder}
                if holder
                else _("Claim this task before completing it.")
            )
        result = write(activation.process)
        activation.start(None)
        activation.execute()
        return result


def step_write(
    task: CaseTask,
    user: User,
    write: Callable[[CaseProcess], T],
    *,
    done_message: str,
    claim_message: str,
) -> T:
    """Run `write(process)` on an open step without completing it, under the
    process lock: the step stays open (a referral's contact recorded, a transfer's
    bundle checked). Raises TaskConflict with `done_message` if the step is over,
    `claim_message` if the user doesn't hold it."""
    with task.activation() as activation:
        task = activation.task
        if task.status not in OPEN:
            raise TaskConflict(done_message)
        if not activation.flow_task.can_execute(user, task):
            raise TaskConflict(claim_message)
        return write(activation.process)
