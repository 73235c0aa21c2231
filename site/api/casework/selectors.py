"""The casework reads, each through the web's own selectors: tasks through
workflows.selectors.tasks_of (the user's teams and their own actions, less what
restrictions hide), concerns through records.selectors.concerns_visible_to (need
to know, break-glass, never a concern naming the reader), chronologies through
records.chronology (pupils_visible_to); report figures come from the reports app
(reports.figures, through the "chronicle_api_report" hook: api may not import
reports). Nothing here writes or audits: the
endpoints audit each read of case content (api.casework.endpoints)."""

from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q

from accounts.selectors import Viewer
from records.chronology import chronology
from records.models import Concern, Pupil
from records.selectors import (
    concerns_visible_to,
    concerns_with_reference,
    pupils_visible_to,
)
from workflows.models import CaseTask
from workflows.selectors import OPEN, overdue_filter, tasks_of

from .. import cursors

Json = dict[str, Any]

TASK_SORTS = {
    "urgent": ["-urgent", "created", "pk"],  # the web's queues: urgent, then oldest
    "created": ["created", "pk"],
    "-created": ["-created", "-pk"],
}
CONCERN_SORTS = {
    "-submitted": ["-submitted_at", "-pk"],
    "submitted": ["submitted_at", "pk"],
}
TEXT_FIELDS = (
    "what_happened",
    "risk_reason",
    "rationale",
    "outcome_summary",
    "body",
    "text",
    "completed_note",
    "response",
    "finding",
    "description",
)


def _school(school) -> Json:
    return {"id": school.pk, "name": school.name}


def tasks(
    user: Viewer,
    *,
    status: str,
    school: int | None,
    step: str,
    overdue: bool | None,
    mine: bool,
    sort: str,
    limit: int,
    cursor: str,
) -> tuple[list[Json], str | None]:
    """A page of the tasks the user may open or has done, filtered and sorted."""
    found = tasks_of(user)
    if status == "open":
        found = found.filter(status__in=OPEN)
    elif status == "done":
        found = found.filter(status="DONE")
    if school is not None:
        found = found.filter(school_id=school)
    if step:
        found = found.filter(flow_task__endswith=f".{step}")
    if mine:
        found = found.filter(owner=user)
    late = ExpressionWrapper(
        overdue_filter(found) & Q(status__in=OPEN), output_field=BooleanField()
    )
    found = found.annotate(is_overdue=late)
    if overdue is not None:
        found = found.filter(is_overdue=overdue)
    found = found.select_related("school", "concern", "transfer", "owner")
    rows, after = cursors.page(
        found,
        kind=f"tasks:{sort}",
        ordering=TASK_SORTS[sort],
        limit=limit,
        cursor=cursor,
    )
    return [_task(task, user) for task in rows], after


def _task(task: CaseTask, user: Viewer) -> Json:
    return {
        "id": task.pk,
        "reference": task.reference,
        "step": task.step,
        "step_label": str(task.flow_task.task_title if task.flow_task else ""),
        "school": _school(task.school),
        "status": "open" if task.status in OPEN else "done",
        "urgent": task.urgent,
        "overdue": bool(task.is_overdue),
        "due_on": task.due_on,
        "assigned_to_me": task.owner_id == user.pk,
        "assigned": task.owner_id is not None,
        "created": task.created,
        "finished": task.finished,
    }


def concerns(
    user: Viewer, *, status: str, school: int | None, sort: str, limit: int, cursor: str
) -> tuple[list[Json], str | None]:
    """A page of the concerns the user may read: reference, school, status, when."""
    found = concerns_visible_to(user).select_related("school")
    if status:
        found = found.filter(status=status)
    if school is not None:
        found = found.filter(school_id=school)
    rows, after = cursors.page(
        found,
        kind=f"concerns:{sort}",
        ordering=CONCERN_SORTS[sort],
        limit=limit,
        cursor=cursor,
    )
    return [_concern_summary(concern) for concern in rows], after


def _concern_summary(concern: Concern) -> Json:
    return {
        "reference": concern.reference,
        "school": _school(concern.school),
        "status": concern.status,
        "status_label": str(concern.get_status_display()),
        "route": concern.route,
        "submitted_at": concern.submitted_at,
        "occurred_on": concern.occurred_on,
    }


def concern(user: Viewer, reference: str) -> Concern | None:
    return (
        concerns_with_reference(concerns_visible_to(user), reference)
        .select_related("school")
        .first()
    )


def concern_detail(concern: Concern, user: Viewer) -> Json:
    """What the concern's page shows: the report, the children (a child's file
    id only for someone who may open it), and every step, open or done."""
    openable = set(pupils_visible_to(user).values_list("pk", flat=True))
    steps = (
        CaseTask.objects.filter(concern=concern, flow_task_type="HUMAN")
        .select_related("owner")
        .order_by("created", "pk")
    )
    return {
        **_concern_summary(concern),
        "form": concern.form_title,
        "category": concern.primary_category_name,
        "also_about": concern.tag_names,
        "location": concern.location_name,
        "location_detail": concern.location_detail,
        "occurred_at": concern.occurred_at,
        "what_happened": concern.what_happened,
        "child_voice": concern.child_voice,
        "child_voice_not_known": concern.child_voice_not_known,
        "immediate_risk": concern.immediate_risk,
        "actions_taken": concern.actions_taken,
        "children": [
            {
                "pupil": i.pupil_id if i.pupil_id in openable else None,
                "name": i.pupil.display_name,
                "role": i.role,
                "role_label": str(i.get_role_display()),
            }
            for i in concern.involvements.select_related("pupil")
        ],
        "steps": [
            {
                "id": task.pk,
                "step": task.step,
                "step_label": str(task.flow_task.task_title if task.flow_task else ""),
                "status": "open" if task.status in OPEN else "done",
                "assigned_to": str(task.owner) if task.owner_id else None,
                "created": task.created,
                "finished": task.finished,
            }
            for task in steps
        ],
    }


def pupil(user: Viewer, pupil_id: int) -> Pupil | None:
    return pupils_visible_to(user).filter(pk=pupil_id).select_related("school").first()


def chronology_page(
    pupil: Pupil, user: Viewer, *, limit: int, cursor: str
) -> tuple[list[Json], str | None]:
    """A page of the child's file as the web shows it, newest first. The cursor
    holds the last entry's key: the next page starts after it."""
    entries = chronology(pupil, user=user)
    start = 0
    if cursor:
        last = cursors.decode(f"chronology:{pupil.pk}", cursor)
        keys = [entry.key for entry in entries]
        if len(last) != 1 or last[0] not in keys:
            raise cursors.CursorInvalid(cursor)
        start = keys.index(last[0]) + 1
    rows = entries[start : start + limit]
    more = start + limit < len(entries)
    after = cursors.encode(f"chronology:{pupil.pk}", [rows[-1].key]) if more else None
    return [_entry(entry) for entry in rows], after


def _entry(entry) -> Json:
    item = entry.item
    text = next(
        (getattr(item, name) for name in TEXT_FIELDS if getattr(item, name, "")), ""
    )
    return {
        "key": entry.key,
        "kind": entry.kind,
        "kind_label": str(entry.kind_label),
        "at": entry.at,
        "concern": entry.concern.reference if entry.concern is not None else None,
        "role": str(entry.role),
        "category": str(entry.category),
        "child_voice": entry.child_voice,
        "significant": entry.significant,
        "text": str(text),
        "from_previous_school": entry.imported is not None,
    }
