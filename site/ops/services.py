"""What a system administrator does to the background work: retry a failed task."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from audit.services import record_change

from .selectors import can_run_operations


@transaction.atomic
def task_retry(*, user: User, task_id: str) -> DBTaskResult:
    """Make a failed task ready to run at once (one more attempt), and audit it.
    A task retried meanwhile by someone else, or not failed, is refused."""
    if not can_run_operations(user):
        raise PermissionDenied
    try:
        result = DBTaskResult.objects.get(pk=task_id)
    except (DBTaskResult.DoesNotExist, ValidationError, ValueError):
        raise ValidationError(_("There is no such background task.")) from None
    retried = DBTaskResult.objects.filter(
        pk=result.pk, status=TaskResultStatus.FAILED
    ).update(status=TaskResultStatus.READY, run_after=timezone.now())
    if not retried:
        raise ValidationError(
            _("This task has not failed (it may have been retried already).")
        )
    record_change(
        obj=result,
        changes={"status": [TaskResultStatus.FAILED, TaskResultStatus.READY]},
        event="background task retried",
        task=result.task_path,
    )
    return result
