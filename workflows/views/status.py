"""The head's and DSLs' status page."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..status import Period, concerns_with_step, overview
from .base import PAGE_SIZE, team_schools


def status_page(request: HttpRequest) -> HttpResponse:
    """Heads and DSLs: where every concern is, what is overdue, how long steps take.
    Counts and references only: no case content."""
    schools = team_schools(request.user)
    if not schools.exists():
        raise PermissionDenied
    period = Period.from_query(request.GET)
    context = overview(user=request.user, period=period)
    page = Paginator(
        concerns_with_step(user=request.user, period=period), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context.update({"period": period, "page_obj": page, "schools": schools})
    return TemplateResponse(request, "workflows/status.html", context)
