"""Casework pages in the Wagtail admin: queues, the task page, the concern page, the
manager's status page and notifications. Views are thin: they find the object through
a selector (so a user outside the team gets a 404), validate a form, call a service."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from viewflow.workflow.exceptions import FlowLockFailed

from accounts.selectors import schools_where
from audit.services import record_access
from chronicle.forms import add_service_errors
from forms.forms import is_id
from records.models import Concern
from records.restrictions import restriction_of
from records.selectors import (
    concerns_visible_to,
    concerns_workable_by,
    is_read_only,
    pupils_visible_to,
)
from taxonomy.models import Term, Vocabulary

from . import forms, patterns, selectors, services, status
from .models import CaseTask, CaseworkSettings

PAGE_SIZE = 50


def _people(user):
    """Everyone at the schools where the user works a team (for assigning)."""
    from accounts.models import User

    return (
        User.objects.filter(is_active=True, memberships__school__in=_team_schools(user))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _team_schools(user):
    from accounts.models import Role
    from accounts.selectors import CASE_ROLES

    return schools_where(user, *CASE_ROLES, Role.HEAD)


def _queue_page(request, queryset, *, title, empty, team):
    schools = _team_schools(request.user)
    filterset = forms.TaskFilter(
        request.GET or None,
        queryset=queryset,
        schools=schools,
        categories=Term.objects.filter(
            Q(school__isnull=True) | Q(school__in=schools),
            vocabulary=Vocabulary.CATEGORY,
            parent__isnull=True,
        ).order_by("sort_order", "name"),
        people=_people(request.user),
        team=team,
    )
    tasks = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "workflows/task_list.html",
        {
            "title": title,
            "empty": empty,
            "team": team,
            "filter": filterset,
            "page_obj": page,
            "query": query.urlencode(),
            "today": timezone.localdate(),
        },
    )


def my_tasks(request):
    return _queue_page(
        request,
        selectors.my_tasks(request.user),
        title=_("My tasks"),
        empty=_("Nothing is waiting for you."),
        team=False,
    )


def team_queue(request):
    if not selectors.is_in_any_team(request.user):
        raise PermissionDenied
    return _queue_page(
        request,
        selectors.team_queue(request.user),
        title=_("Team queue"),
        empty=_("No unclaimed tasks. New concerns arrive here for triage."),
        team=True,
    )


class TaskDone(Exception):
    """The task was completed (a second click, a stale page): say so, don't 404."""

    def __init__(self, task):
        self.task = task


def _task_or_404(request, pk):
    queryset = selectors.tasks_of(request.user).select_related(
        "concern", "school", "owner", "referral", "action"
    )
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
        return redirect("my_tasks")
    if task.transfer_id:
        return redirect("transfer_detail", pk=task.transfer_id)
    return redirect("casework_concern", pk=task.concern_id)


def handles_task_state(view):
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
            return redirect("casework_task", pk=pk)

    return wrapper


STEP_TEMPLATES = {
    "triage": "workflows/steps/triage.html",
    "decide": "workflows/steps/decide.html",
    "follow_up": "workflows/steps/follow_up.html",
    "close": "workflows/steps/close.html",
    "sign_off": "workflows/steps/sign_off.html",
    "do_action": "workflows/steps/do_action.html",
    "review_pattern": "workflows/steps/review_pattern.html",
}


def _step_form(task, data=None):
    step, concern = task.step, task.concern
    if step == "triage":
        return forms.TriageForm(data, concern=concern)
    if step == "decide":
        return forms.DecisionForm(data, concern=concern)
    if step == "follow_up":
        return forms.ReferralForm(data, instance=task.referral)
    if step == "close":
        process = task.process.coerced
        required = CaseworkSettings.for_school(task.school).sign_off_required(
            concern, process.cycle
        )
        return forms.ClosureForm(
            data,
            initial={
                "needs_sign_off": required or _high_risk(task),
                **_closure_draft(concern, process.cycle),
            },
            sign_off_required=required,
        )
    if step == "sign_off":
        return forms.SignOffForm(data)
    if step == "do_action":
        return forms.ActionDoneForm(data)
    if step == "review_pattern":
        return forms.PatternReviewForm(data)
    raise Http404


def _closure_draft(concern, cycle):
    """What the closing DSL would otherwise retype: the decision's review date and
    reason, and what each agency decided. She edits it; nothing is saved unread."""
    decision = concern.decisions.filter(cycle=cycle).last()
    if decision is None:
        return {}
    lines = [f"{decision.get_outcome_display()}."]
    for referral in decision.referrals.all():
        outcome = referral.get_agency_outcome_display() or _("no response recorded")
        lines.append(f"{referral.agency_name}: {outcome}.")
    draft = {"outcome_summary": " ".join(lines)}
    if decision.outcome == "nfa":
        draft["rationale"] = decision.rationale
    if decision.review_on and decision.review_on > timezone.localdate():
        draft["review_on"] = decision.review_on
    return draft


def _high_risk(task):
    triage = task.concern.triages.order_by("-pk").first()
    return bool(triage and triage.risk_level in ("high", "immediate"))


def _run_step(request, task, form):
    user, data = request.user, form.cleaned_data
    step = task.step
    if step == "triage":
        return services.triage_complete(task=task, user=user, **form.service_kwargs())
    if step == "decide":
        return services.decision_complete(task=task, user=user, **form.service_kwargs())
    if step == "follow_up":
        return services.referral_save(
            task=task,
            user=user,
            complete="complete" in request.POST,
            **form.service_kwargs(),
        )
    if step == "close":
        return services.closure_complete(task=task, user=user, **data)
    if step == "sign_off":
        return services.sign_off_complete(
            task=task, user=user, agree=data["verdict"] == "agree", note=data["note"]
        )
    if step == "review_pattern":
        return services.pattern_review_complete(
            task=task, user=user, conclusion=data["conclusion"]
        )
    return services.action_complete(task=task, user=user, note=data["note"])


@handles_task_state
def task_detail(request, pk):
    task = _task_or_404(request, pk)
    if task.transfer_id:  # a transfer is worked on its own page
        return redirect("transfer_detail", pk=task.transfer_id)
    holds = task.owner_id == request.user.pk
    form = _step_form(task, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not holds:
            messages.error(request, _("Claim this task before working on it."))
            return redirect("casework_task", pk=task.pk)
        if form.is_valid():
            try:
                _run_step(request, task, form)
            except services.TaskConflict as conflict:
                messages.error(request, " ".join(conflict.messages))
                return redirect("casework_task", pk=task.pk)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return _after_step(request, task)
    return _task_page(request, task, form, holds)


DONE_MESSAGES = {
    "triage": _("Triage recorded for %(ref)s."),
    "decide": _("Decision recorded for %(ref)s."),
    "follow_up": _("Referral to %(agency)s completed for %(ref)s."),
    "close": _("%(ref)s closed."),
    "close_pending": _(
        "Closure recorded for %(ref)s. It is not closed until a second DSL signs "
        "it off; they have been told."
    ),
    "sign_off": _("Sign-off recorded for %(ref)s."),
    "do_action": _("Action done for %(ref)s."),
    "review_pattern": _("Pattern reviewed (latest concern %(ref)s)."),
}


def _after_step(request, task):
    task.refresh_from_db()
    if task.status in selectors.OPEN:  # referral contact saved, still open
        messages.success(request, _("Saved. The task stays open for the response."))
        return redirect("casework_task", pk=task.pk)
    step = task.step
    if step == "close":
        task.concern.refresh_from_db(fields=["status"])
    if step == "close" and task.concern.status != Concern.Status.CLOSED:
        step = "close_pending"  # the closure waits for a second DSL's sign-off
    done = DONE_MESSAGES[step] % {
        "ref": task.reference,
        "agency": task.referral.agency_name if task.referral_id else "",
    }
    if task.step in ("do_action", "review_pattern"):  # not a step of the concern
        messages.success(request, done)
        return redirect("my_tasks")
    following = services.claim_next(concern=task.concern, user=request.user)
    if not following:
        messages.success(request, done)
        return redirect("my_tasks")
    messages.success(
        request,
        _(
            "%(done)s Next: %(step)s — it is yours now; release it if a colleague "
            "should take it."
        )
        % {"done": done, "step": following[0].flow_task.task_title},
    )
    return redirect("casework_task", pk=following[0].pk)


def _task_page(request, task, form, holds):
    in_team = selectors.in_team(request.user, task)
    context = {
        "task": task,
        "form": form,
        "holds": holds,
        "in_team": in_team,
        "step_template": STEP_TEMPLATES[task.step],
        "today": timezone.localdate(),
        "can_claim": task.owner_id is None
        and task.flow_task.can_assign(request.user, task),
        "can_release": task.owner_id is not None
        and task.flow_task.can_unassign(request.user, task),
    }
    if in_team and task.step != "do_action":
        context["reassign_form"] = forms.ReassignForm(people=selectors.task_team(task))
    if in_team:
        # The team sees the concern; a person given an action sees only the action.
        record_access(obj=task.concern, event="concern read", via="task", task=task.pk)
        context.update(_concern_context(task.concern, request.user))
        if task.step == "review_pattern":
            context.update(patterns.review_context(task, request.user))
    else:
        context["pupils"] = [i.pupil for i in task.concern.involvements.all()]
    return TemplateResponse(request, "workflows/task.html", context)


def _concern_context(concern, user):
    involvements = list(concern.involvements.select_related("pupil"))
    pupils = [i.pupil for i in involvements]
    earlier = (
        concerns_visible_to(user)
        .filter(involvements__pupil__in=pupils, submitted_at__lt=concern.submitted_at)
        .exclude(pk=concern.pk)
        .distinct()
        .order_by("-submitted_at")[:10]
    )
    return {
        "concern": concern,
        "involvements": involvements,
        # A child's name links to their file only for someone who may open it (not
        # a break-glass reader of this one concern).
        "openable_files": set(
            pupils_visible_to(user)
            .filter(pk__in=[p.pk for p in pupils])
            .values_list("pk", flat=True)
        ),
        "attachments": concern.attachments.all(),
        "timeline": _timeline(concern),
        "earlier": earlier,
    }


def _timeline(concern):
    """Everything done on the concern, in the order it happened."""
    events = [
        *(
            ("triage", t.triaged_at, t)
            for t in concern.triages.select_related("triaged_by")
        ),
        *(
            ("decision", d.decided_at, d)
            for d in concern.decisions.select_related("decided_by").prefetch_related(
                "referrals"
            )
        ),
        *(("referral", r.created_at, r) for r in concern.referrals.all()),
        *(
            ("action", a.created_at, a)
            for a in concern.actions.select_related("assigned_to", "created_by")
        ),
        *(
            ("closure", c.closed_at, c)
            for c in concern.closures.select_related(
                "closed_by", "signed_off_by", "sent_back_by"
            )
        ),
    ]
    events.sort(key=lambda event: event[1])
    return [{"kind": kind, "at": at, "item": item} for kind, at, item in events]


@handles_task_state
@require_POST
def task_claim(request, pk):
    task = _task_or_404(request, pk)
    try:
        services.task_claim(task=task, user=request.user)
    except services.TaskConflict as conflict:
        messages.error(request, " ".join(conflict.messages))
        return redirect("casework_task", pk=task.pk)
    messages.success(request, _("The task is yours."))
    return redirect("casework_task", pk=task.pk)


@handles_task_state
@require_POST
def task_release(request, pk):
    task = _task_or_404(request, pk)
    try:
        services.task_release(task=task, user=request.user)
    except services.TaskConflict as conflict:
        messages.error(request, " ".join(conflict.messages))
    else:
        messages.success(request, _("The task is back in the team queue."))
    return redirect("team_queue")


@handles_task_state
@require_POST
def task_reassign(request, pk):
    task = _task_or_404(request, pk)
    form = forms.ReassignForm(request.POST, people=selectors.task_team(task))
    if not form.is_valid():
        messages.error(request, _("Choose someone in the team."))
        return redirect("casework_task", pk=task.pk)
    try:
        services.task_reassign(task=task, user=request.user, to=form.cleaned_data["to"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("casework_task", pk=task.pk)
    messages.success(
        request, _("Handed to %(name)s.") % {"name": form.cleaned_data["to"]}
    )
    return redirect("my_tasks")


def concern_detail(request, pk):
    """The DSL's view of one concern: what was reported and everything done since."""
    concern = get_object_or_404(
        concerns_visible_to(request.user).select_related("school"), pk=pk
    )
    read_only = is_read_only(request.user, concern)
    if read_only and request.method == "POST":
        raise PermissionDenied  # a break-glass access reads, it does not add
    record_access(obj=concern, event="concern read", via="concern page")
    action_form = forms.ActionForm(
        request.POST if request.method == "POST" else None,
        people=_people(request.user).filter(memberships__school=concern.school),
    )
    if request.method == "POST" and action_form.is_valid():
        try:
            services.action_create(
                concern=concern, user=request.user, **action_form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(action_form, error)
        else:
            messages.success(request, _("Action added to their tasks."))
            return redirect("casework_concern", pk=concern.pk)
    context = _concern_context(concern, request.user)
    context.update(
        {
            "action_form": action_form,
            "open_tasks": CaseTask.objects.filter(
                concern=concern, flow_task_type="HUMAN", status__in=selectors.OPEN
            ).select_related("owner", "action", "referral"),
            "can_reopen": concern.status == Concern.Status.CLOSED
            and not services.concern_has_open_process(concern),
            "reopen_form": forms.ReopenForm(),
            "read_only": read_only,
            "restriction": restriction_of(concern),
        }
    )
    return TemplateResponse(request, "workflows/concern.html", context)


@require_POST
def concern_reopen(request, pk):
    concern = get_object_or_404(concerns_workable_by(request.user), pk=pk)
    form = forms.ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the concern is being reopened."))
        return redirect("casework_concern", pk=concern.pk)
    try:
        services.concern_reopen(
            concern=concern, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Reopened: a new decision is in the team queue."))
    return redirect("casework_concern", pk=concern.pk)


def status_page(request):
    """Heads and DSLs: where every concern is, what is overdue, how long steps take.
    Counts and references only: no case content."""
    schools = _team_schools(request.user)
    if not schools.exists():
        raise PermissionDenied
    period = status.Period.from_query(request.GET)
    context = status.overview(user=request.user, period=period)
    page = Paginator(
        status.concerns_with_step(user=request.user, period=period), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context.update({"period": period, "page_obj": page, "schools": schools})
    return TemplateResponse(request, "workflows/status.html", context)


def notifications(request):
    items = request.user.notifications.all()
    if request.method == "POST":
        items.filter(read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, _("All marked as read."))
        return redirect("casework_notifications")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "workflows/notifications.html", {"page_obj": page})


def casework_settings(request):
    """A DSL sets her school's rules for the concern process: the closure sign-off
    and the thresholds that raise a pattern review. Each form posts its name."""
    from accounts.models import Role

    schools = schools_where(request.user, Role.DSL)
    if not schools.exists():
        raise PermissionDenied
    wanted = request.GET.get("school", "")
    school = (
        schools.filter(pk=int(wanted)).first() if is_id(wanted) else None
    ) or schools[0]
    posted = request.POST.get("form", "settings") if request.method == "POST" else ""
    data = request.POST if posted else None
    settings = CaseworkSettings.for_school(school)
    form = forms.CaseworkSettingsForm(
        data if posted == "settings" else None, instance=settings
    )
    rule_form = forms.PatternRuleForm(
        data if posted == "rule_add" else None, school=school
    )
    here = f"{request.path}?school={school.pk}"
    if posted == "settings" and form.is_valid():
        try:
            services.casework_settings_save(
                school=school,
                user=request.user,
                closure_sign_off=form.cleaned_data["closure_sign_off"],
                version=form.cleaned_data["loaded"],
            )
        except services.EditConflict as conflict:
            form.refuse(conflict)
        else:
            messages.success(request, _("Saved for %(school)s.") % {"school": school})
            return redirect(here)
    if posted == "rule_add" and rule_form.is_valid():
        try:
            services.pattern_rule_add(
                school=school, user=request.user, **rule_form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(rule_form, error)
        else:
            messages.success(request, _("Pattern rule added."))
            return redirect(here)
    if posted == "rule_remove":
        return _rule_remove(request, school, here)
    return TemplateResponse(
        request,
        "workflows/settings.html",
        {
            "form": form,
            "rule_form": rule_form,
            "rules": school.pattern_rules.filter(is_active=True).select_related(
                "category"
            ),
            "school": school,
            "schools": schools,
        },
    )


def _rule_remove(request, school, here):
    wanted = request.POST.get("rule", "")
    if not is_id(wanted):
        raise Http404
    rule = get_object_or_404(school.pattern_rules.filter(is_active=True), pk=wanted)
    kept = services.pattern_rule_remove(rule=rule, user=request.user)
    messages.success(
        request,
        _("Rule switched off: it is kept because it raised reviews.")
        if kept
        else _("Rule removed."),
    )
    return redirect(here)


def notification_open(request, pk):
    """Follow a notification's link, marking it read."""
    note = get_object_or_404(request.user.notifications, pk=pk)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    if not url_has_allowed_host_and_scheme(note.url, allowed_hosts=None):
        return redirect("casework_notifications")
    return redirect(note.url)
