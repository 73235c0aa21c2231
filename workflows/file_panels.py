"""What the workflow app shows on a child's file, through the hooks records
defines (records.frontsheet): the transfer button and the file's transfers, the
open tasks of the child's open concerns, and the concern page that the file's
concern references link to. Records never imports this app; this module is
loaded by workflows.wagtail_hooks."""

from collections.abc import Iterable

from django.http import HttpRequest
from wagtail import hooks

from records.frontsheet import (
    CONCERN_PAGE_HOOK,
    FILE_PANELS_HOOK,
    OPEN_TASKS_HOOK,
    FilePanel,
    OpenTask,
    Slot,
)
from records.models import Concern, Pupil

from .models import CaseTask
from .selectors import OPEN


@hooks.register(FILE_PANELS_HOOK)
def transfer_and_task_panels(*, request: HttpRequest, pupil: Pupil) -> list[FilePanel]:
    return [
        FilePanel(Slot.ACTIONS, "workflows/file_panels/transfer_out.html"),
        FilePanel(Slot.FRONT_SIDE, "workflows/file_panels/transfers.html"),
        FilePanel(Slot.OPEN_WORK, "workflows/file_panels/open_tasks.html"),
    ]


@hooks.register(OPEN_TASKS_HOOK)
def open_tasks(*, concerns: Iterable[Concern]) -> list[OpenTask]:
    """The human tasks waiting on these concerns, soonest due first."""
    tasks = (
        CaseTask.objects.filter(
            concern__in=concerns, flow_task_type="HUMAN", status__in=OPEN
        )
        .select_related("owner", "concern", "referral", "action")
        .order_by("due_on", "created")
    )
    return [
        OpenTask(
            title=task.flow_task.task_title,
            concern_reference=task.concern.reference,
            due_on=task.due_on,
            agency_name=task.referral.agency_name if task.referral else "",
            action_description=task.action.description if task.action else "",
            source=task,
        )
        for task in tasks
    ]


@hooks.register(CONCERN_PAGE_HOOK)
def concern_page() -> str:
    return "workflows:casework_concern"
