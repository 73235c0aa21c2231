"""The user's tasks and the team queue."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from taxonomy.models import Term, Vocabulary

from .. import selectors
from ..filters import TaskFilter
from .base import PAGE_SIZE, request_reach, team_people, team_schools


def _queue_page(request, queryset, *, title, empty, team):
    schools = team_schools(request.user)
    filterset = TaskFilter(
        request.GET or None,
        queryset=queryset,
        schools=schools,
        categories=Term.objects.filter(
            Q(school__isnull=True) | Q(school__in=schools),
            vocabulary=Vocabulary.CATEGORY,
            parent__isnull=True,
        ).order_by("sort_order", "name"),
        people=team_people(request.user),
        team=team,
    )
    tasks = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    # Page over the task keys first (a narrow sort of the open tasks), then fetch
    # the fifty shown with what they show: sorting every open task with its
    # concern, school and people joined in cost ten times as much.
    page = Paginator(tasks.values_list("pk", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    keys = list(page.object_list)
    shown = tasks.in_bulk(keys)
    page.object_list = [shown[key] for key in keys if key in shown]
    children = selectors.children_of_tasks(page.object_list, request.user)
    for task in page.object_list:
        task.children = children.get(task.pk, [])
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


def my_tasks(request: HttpRequest) -> HttpResponse:
    return _queue_page(
        request,
        selectors.my_tasks(request.user, reach=request_reach(request)),
        title=_("My tasks"),
        empty=_("Nothing is waiting for you."),
        team=False,
    )


def team_queue(request: HttpRequest) -> HttpResponse:
    if not selectors.is_in_any_team(request.user):
        raise PermissionDenied
    return _queue_page(
        request,
        selectors.team_queue(request.user, reach=request_reach(request)),
        title=_("Team queue"),
        empty=_("No unclaimed tasks. New concerns arrive here for triage."),
        team=True,
    )
