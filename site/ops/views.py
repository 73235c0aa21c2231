"""*Background tasks* in the admin, for the system administrator alone: tasks that
failed every attempt (and may be retried), tasks waiting for their next attempt,
and the schedule's last runs. Everyone else gets a 404. Nothing on the page comes
from a child's record: a task's name, times, attempts and the error's last line."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import selectors, services
from .scheduler import JOBS


def _allowed(request):
    if not selectors.can_run_operations(request.user):
        raise Http404


@never_cache
def background_tasks(request):
    _allowed(request)
    runs = {run.job: run for run in selectors.scheduled_runs()}
    return TemplateResponse(
        request,
        "ops/background_tasks.html",
        {
            "failed": selectors.failed_tasks(),
            "retrying": selectors.retrying_tasks(),
            "waiting": selectors.waiting_task_count(),
            "jobs": [(job, runs.get(job.name)) for job in JOBS],
        },
    )


@require_POST
def task_retry(request):
    _allowed(request)
    try:
        services.task_retry(user=request.user, task_id=request.POST.get("task", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The task will run again as soon as the worker takes it.")
        )
    return redirect("ops:background_tasks")
