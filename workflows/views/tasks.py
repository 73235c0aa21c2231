"""The task page, generic over the step declarations (workflows.steps), and
claiming, releasing and handing over a task."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from viewflow.workflow.exceptions import FlowLockFailed

from audit.services import record_access
from chronicle.forms import add_service_errors

from .. import selectors, services
from ..forms import ReassignForm
from ..models import CaseTask
from ..steps import Step, step_of
from .base import concern_context, request_reach


class TaskDone(Exception):
    """The task was completed (a second click, a stale page): say so, don't 404."""

    def __init__(self, task):
        self.task = task


def _task_or_404(request, pk):
    queryset = selectors.tasks_of(
        request.user, reach=request_reach(request)
    ).select_related("concern", "school", "owner", "referral", "action")
    task = get_object_or_404(queryset, pk=pk)
    if task.status not in selectors.OPEN:
        raise TaskDone(task)
    return task


def _done(request, task):
    who = task.owner.get_full_name() or task.owner.username if task.owner else ""
    messages.info(
        request,
        _("%(step)s for %(ref)s is already done%(by)s.")
        % {
            "step": task.flow_task.task_title,
            "ref": task.reference,
            "by": _(" by %(who)s") % {"who": who} if who else "",
        },
    )
    if task.action_id and not selectors.in_team(request.user, task):
        return redirect("workflows:my_tasks")
    if task.transfer_id:
        return redirect("workflows:transfer_detail", pk=task.transfer_id)
    return redirect("workflows:casework_concern", pk=task.concern_id)


def handles_task_state(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """A task already done, or locked by a colleague's save this instant, gets a
    clear message instead of a 404 or a 500."""

    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        try:
            return view(request, pk, *args, **kwargs)
        except TaskDone as done:
            return _done(request, done.task)
        except FlowLockFailed:
            messages.error(
                request,
                _("A colleague is saving this concern right now. Try again."),
            )
            return redirect("workflows:casework_task", pk=pk)

    return wrapper


@handles_task_state
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    if task.transfer_id:  # a transfer is worked on its own page
        return redirect("workflows:transfer_detail", pk=task.transfer_id)
    step = step_of(task)
    if step is None:
        raise Http404
    holds = task.owner_id == request.user.pk
    form = step.form_for(task, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not holds:
            messages.error(request, _("Claim this task before working on it."))
            return redirect("workflows:casework_task", pk=task.pk)
        if form.is_valid():
            try:
                step.run(task=task, user=request.user, form=form)
            except services.TaskConflict as conflict:
                messages.error(request, " ".join(conflict.messages))
                return redirect("workflows:casework_task", pk=task.pk)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return _after_step(request, task, step, form)
    return _task_page(request, task, step, form, holds)


def _after_step(request, task: CaseTask, step: Step, form):
    task.refresh_from_db()
    if task.status in selectors.OPEN:  # referral contact saved, still open
        if getattr(form, "logs_contact", False):
            messages.success(
                request,
                _("Contact with %(agency)s logged. The task stays open.")
                % {"agency": task.referral.agency_name},
            )
        else:
            messages.success(request, _("Saved. The task stays open for the response."))
        return redirect("workflows:casework_task", pk=task.pk)
    done = step.done_message(task)
    if not step.moves_concern_on:  # not a step of the concern
        messages.success(request, done)
        return redirect("workflows:my_tasks")
    following = services.claim_next(concern=task.concern, user=request.user)
    if not following:
        messages.success(request, done)
        return redirect("workflows:my_tasks")
    messages.success(
        request,
        _(
            "%(done)s Next: %(step)s — it is yours now; release it if a colleague "
            "should take it."
        )
        % {"done": done, "step": following[0].flow_task.task_title},
    )
    return redirect("workflows:casework_task", pk=following[0].pk)


def _task_page(request, task: CaseTask, step: Step, form, holds):
    in_team = selectors.in_team(request.user, task)
    context = {
        "task": task,
        "form": form,
        "holds": holds,
        "in_team": in_team,
        "step_template": step.template,
        "today": timezone.localdate(),
        "can_claim": task.owner_id is None
        and task.flow_task.can_assign(request.user, task),
        "can_release": task.owner_id is not None
        and task.flow_task.can_unassign(request.user, task),
    }
    if in_team and step.reassignable:
        context["reassign_form"] = ReassignForm(people=selectors.task_team(task))
    if in_team:
        # The team sees the concern; a person given an action sees only the action.
        record_access(obj=task.concern, event="concern read", via="task", task=task.pk)
        context.update(concern_context(task.concern, request.user))
        if step.context is not None:
            context.update(step.context(task, request.user))
    else:
        context["pupils"] = [i.pupil for i in task.concern.involvements.all()]
    return TemplateResponse(request, "workflows/task.html", context)


@handles_task_state
@require_POST
def task_claim(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    try:
        services.task_claim(task=task, user=request.user)
    except services.TaskConflict as conflict:
        messages.error(request, " ".join(conflict.messages))
        return redirect("workflows:casework_task", pk=task.pk)
    messages.success(request, _("The task is yours."))
    return redirect("workflows:casework_task", pk=task.pk)


@handles_task_state
@require_POST
def task_release(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    try:
        services.task_release(task=task, user=request.user)
    except services.TaskConflict as conflict:
        messages.error(request, " ".join(conflict.messages))
    else:
        messages.success(request, _("The task is back in the team queue."))
    return redirect("workflows:team_queue")


@handles_task_state
@require_POST
def task_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    form = ReassignForm(request.POST, people=selectors.task_team(task))
    if not form.is_valid():
        messages.error(request, _("Choose someone in the team."))
        return redirect("workflows:casework_task", pk=task.pk)
    try:
        services.task_reassign(task=task, user=request.user, to=form.cleaned_data["to"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("workflows:casework_task", pk=task.pk)
    messages.success(
        request, _("Handed to %(name)s.") % {"name": form.cleaned_data["to"]}
    )
    return redirect("workflows:my_tasks")
