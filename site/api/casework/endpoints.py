"""GET endpoints for casework (scope "casework") and report figures (scope
"reports"). Lists are cursor-paginated (api.casework.cursors); each read of case
content (a concern's detail, a child's chronology) is an ACCESS entry in the audit
log on the concern or the child, with the token's user as actor, exactly as the
web's concern page and child's file write it, plus `via: "api"` and the token's
prefix."""

from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.errors import AuthorizationError
from wagtail import hooks

from audit.services import record_access
from records.models import Concern

from .. import cursors, problems
from ..auth import TokenAuth
from ..models import Scope
from ..schemas import Id, Problem
from . import schemas, selectors

ERRORS = dict.fromkeys((400, 401, 403, 404, 422, 429), Problem)

casework = Router(auth=TokenAuth(Scope.CASEWORK), tags=["Casework"])
reports = Router(auth=TokenAuth(Scope.REPORTS), tags=["Reports"])

Limit = Query(25, ge=1, le=100, description="How many per page.")
Cursor = Query("", max_length=2000, description="next_cursor of the page before.")
Ids = Query(None, description="May repeat: ?school=1&school=2.")
SchoolId = Query(None, ge=1, le=2**63 - 1, description="Only this school's.")


def _page(selector, user, **filters):
    """A cursor page of `selector`'s rows, or the 422 for a cursor this list
    did not give."""
    try:
        items, after = selector(user, **filters)
    except cursors.CursorInvalid:
        return _invalid_cursor()
    return {"items": items, "next_cursor": after}


def _invalid_cursor():
    return problems.problem(
        422,
        _("The request is not valid."),
        {
            "cursor": [
                _("This cursor is not one this list gave: start again without it.")
            ]
        },
    )


@casework.get(
    "/casework/tasks",
    operation_id="casework_tasks",
    response={200: schemas.TaskPage, **ERRORS},
)
def casework_tasks(
    request,
    status: Literal["open", "done", "any"] = Query("open"),
    school: int | None = SchoolId,
    step: str = Query("", max_length=60, pattern=r"^[a-z_]*$"),
    overdue: bool | None = Query(None, description="Only late (or only not late)."),
    mine: bool = Query(False, description="Only the tasks you hold."),
    sort: Literal["urgent", "created", "-created"] = Query("urgent"),
    limit: int = Limit,
    cursor: str = Cursor,
):
    """The tasks the web's queues and task pages show the user: their teams' and
    the actions given to them, less what restrictions hide; never a task on a
    concern that names them. References and steps only, no case content."""
    return _page(
        selectors.tasks,
        request.user,
        status=status,
        school=school,
        step=step,
        overdue=overdue,
        mine=mine,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )


@casework.get(
    "/casework/concerns",
    operation_id="casework_concerns",
    response={200: schemas.ConcernSummaryPage, **ERRORS},
)
def casework_concerns(
    request,
    status: Literal["", "received", "in_progress", "closed"] = Query(""),
    school: int | None = SchoolId,
    sort: Literal["-submitted", "submitted"] = Query("-submitted"),
    limit: int = Limit,
    cursor: str = Cursor,
):
    """The concerns the user may read (as the concern page allows): reference,
    school, status and dates only."""
    return _page(
        selectors.concerns,
        request.user,
        status=status,
        school=school,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )


@casework.get(
    "/casework/concerns/{reference}",
    operation_id="casework_concern",
    response={200: schemas.ConcernDetail, **ERRORS},
)
def casework_concern(
    request, reference: str = Path(..., max_length=20, pattern=r"^[A-Za-z0-9-]+$")
):
    """One concern, as its page shows it: the report, the children, every step.
    Audited as the page is ("concern read")."""
    concern: Concern | None = selectors.concern(request.user, reference)
    if concern is None:
        raise Http404
    record_access(
        obj=concern, event="concern read", via="api", token=request.auth.prefix
    )
    return selectors.concern_detail(concern, request.user)


@casework.get(
    "/casework/pupils/{pupil_id}/chronology",
    operation_id="casework_chronology",
    response={200: schemas.ChronologyPage, **ERRORS},
)
def casework_chronology(
    request,
    pupil_id: int = Path(..., ge=1, le=2**63 - 1),
    limit: int = Limit,
    cursor: str = Cursor,
):
    """A child's chronology, newest first, as their file shows it. Audited as the
    file is ("file read")."""
    pupil = selectors.pupil(request.user, pupil_id)
    if pupil is None:
        raise Http404
    try:
        items, after = selectors.chronology_page(
            pupil, request.user, limit=limit, cursor=cursor
        )
    except cursors.CursorInvalid:
        return _invalid_cursor()
    record_access(obj=pupil, event="file read", via="api", token=request.auth.prefix)
    return {
        "pupil": pupil.pk,
        "name": pupil.display_name,
        "items": items,
        "next_cursor": after,
    }


@reports.get(
    "/reports",
    operation_id="report_figures",
    response={200: schemas.Report, **ERRORS},
)
def report_figures(
    request,
    date_from: str = Query("", alias="from", max_length=10),
    date_to: str = Query("", alias="to", max_length=10),
    term: str = Query("", max_length=200),
    group: Literal["", "month", "term"] = Query(""),
    school: list[Id] | None = Ids,
    category: list[Id] | None = Ids,
):
    """The report page's tables for the same filters (from, to: YYYY-MM-DD;
    school and category may repeat), counts of 1 to 4 suppressed."""
    figures = hooks.get_hooks("chronicle_api_report")[0]()
    if not figures.may_see(request.user):
        raise AuthorizationError(message=_("You have no reports."))
    query = {"from": date_from, "to": date_to, "term": term, "group": group}
    try:
        return figures.report(
            request.user,
            {**query, "school": school or [], "category": category or []},
        )
    except figures.ReportInvalid as invalid:
        return problems.problem(422, _("The request is not valid."), invalid.errors)
