"""Casework pages in the Wagtail admin, by topic: queues, the task page, the
concern page, the manager's status page, notifications and settings. Views are
thin: they find the object through a selector (so a user outside the team gets a
404), validate a form, call a service."""

from .base import request_reach
from .concerns import concern_detail, concern_reopen
from .notifications import notification_open, notifications
from .queues import my_tasks, team_queue
from .settings import casework_settings
from .status import status_page
from .tasks import (
    TaskDone,
    handles_task_state,
    task_claim,
    task_detail,
    task_reassign,
    task_release,
)

__all__ = [
    "TaskDone",
    "casework_settings",
    "concern_detail",
    "concern_reopen",
    "handles_task_state",
    "my_tasks",
    "notification_open",
    "notifications",
    "request_reach",
    "status_page",
    "task_claim",
    "task_detail",
    "task_reassign",
    "task_release",
    "team_queue",
]
