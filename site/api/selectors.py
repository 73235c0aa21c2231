"""Reads of the API, built on the apps' own selectors and on the very form the
web page renders, so the API shows what the page shows and nothing more."""

from collections.abc import Iterable
from typing import Any

from django import forms as django_forms
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

from accounts.models import Role, User
from accounts.selectors import Viewer, schools_where
from forms.forms import QUESTION_PREFIX, YES_NO
from forms.models import ConcernFormField, ConcernFormPage
from forms.selectors import concern_forms_for
from forms.views import SEARCH_LIMIT
from records.body_map import REGIONS, View, region_label
from records.models import InvolvementRole
from records.selectors import concerns_reported_by, pupils_reportable_by
from taxonomy.models import Term
from workflows.models import CaseTask
from workflows.selectors import is_in_any_team, my_tasks, overdue_filter, team_queue

from . import cursors
from .models import ApiToken

# A JSON object as the endpoints return it (schemas.py gives each its shape).
Json = dict[str, Any]

# The core questions, in the web form's order, and how a client should ask them.
CORE_FIELDS = {
    "submission_key": "uuid",
    "occurred_on": "date",
    "occurred_at": "time",
    "location": "location",
    "location_detail": "string",
    "what_happened": "text",
    "child_voice": "text",
    "child_voice_not_known": "text",
    "body_map": "body_map",  # sent as ConcernIn.body_map; regions in body_regions
    "primary_category": "category",
    "tags": "categories",
    "immediate_risk": "boolean",
    "actions_taken": "text",
    "attachments": "files",  # sent with concern_submit_with_files (multipart)
    "reported_by_name": "string",
    # A form whose concerns go to the case manager: the adult (ConcernIn.adult).
    "adult_kind": "choice",
    "adult_role": "choice",
    "adult_person": "person",
    "adult_name": "string",
    "adult_job_title": "string",
    "adult_relationship": "string",
    # Only when no child is named and the form takes several of the user's schools.
    "adult_school": "choice",
}


OFFERED_TOKENS_TO = (Role.DSL, Role.DEPUTY_DSL, Role.HEAD, Role.CONFIGURATOR)


def offers_api_tokens(user: Viewer) -> bool:
    """Whether the sidebar offers API tokens: to a DSL, deputy, head or
    configurator, and to anyone who already has a live token. A teacher who
    only reports concerns finds the page under their account instead (it is
    open to anyone with a role: api.views.token_list)."""
    if not user.is_authenticated:
        return False
    if schools_where(user, *OFFERED_TOKENS_TO).exists():
        return True
    return ApiToken.objects.usable().filter(user=user).exists()


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def forms_for(user: Viewer) -> QuerySet[ConcernFormPage]:
    return concern_forms_for(user)


def form_for(user: Viewer, form_id: int) -> ConcernFormPage | None:
    return forms_for(user).filter(pk=form_id).first()


def _choices(formfield: django_forms.Field) -> list[Json]:
    return [
        {"value": str(value), "label": str(label)}
        for value, label in getattr(formfield, "choices", [])
        if str(value) != ""
    ]


def _core_field(name: str, formfield: django_forms.Field, kind: str) -> Json:
    return {
        "name": name,
        "label": str(formfield.label),
        "type": kind,
        "required": formfield.required,
        "help_text": str(formfield.help_text or ""),
        "max_length": getattr(formfield, "max_length", None),
        "choices": _boolean_choices()
        if kind == "boolean"
        else _choices(formfield)
        if kind in ("choice", "person")
        else None,
    }


def _boolean_choices() -> list[Json]:
    labels = dict(YES_NO)
    return [
        {"value": "true", "label": str(labels["yes"])},
        {"value": "false", "label": str(labels["no"])},
    ]


def _pupils_field(*, required: bool) -> Json:
    """Required unless the form is about an adult (who need not involve a child)."""
    return {
        "name": "pupils",
        "label": _("Children involved"),
        "type": "pupils",
        "required": required,
        "help_text": _(
            "Each child once, with how they are involved: a list of "
            '{"pupil": id from /pupils, "role": one of involvement_roles}.'
        ),
    }


def _question(field: ConcernFormField, formfield: django_forms.Field) -> Json:
    default = field.default_value or None
    if default and field.field_type == "checkboxes":
        default = formfield.initial
    return {
        "name": field.clean_name,
        "label": field.label,
        "type": field.field_type,
        "required": field.required,
        "help_text": field.help_text,
        "max_length": getattr(formfield, "max_length", None),
        "choices": _choices(formfield) or None,
        "default": default,
    }


def _category(term: Term, children: Iterable[Term] = ()) -> Json:
    return {
        "id": term.pk,
        "name": term.name,
        "definition": term.definition,
        "children": [_category(child) for child in children],
    }


def form_definition(page: ConcernFormPage, user: Viewer) -> Json:
    """The page's form as the user would get it on the web: their schools' lists,
    the core questions they are shown (a DSL's paper-report field included), and
    the DSL's own questions."""
    form = page.get_form(page=page, user=user)
    fields = [_pupils_field(required=not form.names_an_adult)] + [
        _core_field(name, form.fields[name], kind)
        for name, kind in CORE_FIELDS.items()
        if name in form.fields
    ]
    questions = [
        _question(field, form.fields[f"{QUESTION_PREFIX}{field.clean_name}"])
        for field in page.get_form_fields()
    ]
    return {
        "id": page.pk,
        "title": page.title,
        "send_to": page.send_to,
        "guidance_html": expand_db_html(page.guidance),
        "confirmation_html": expand_db_html(page.confirmation),
        "fields": fields,
        "questions": questions,
        "categories": [_category(t, kids) for t, kids in form.category_groups()],
        "locations": [
            {"id": term.pk, "name": term.name}
            for term in form.fields["location"].queryset
        ],
        "involvement_roles": [
            {"value": value, "label": str(label)}
            for value, label in InvolvementRole.choices
        ],
        "body_regions": [
            {"view": view, "region": r.code, "label": region_label(view, r.code)}
            for view in View.values
            for r in REGIONS
        ],
    }


def pupils_matching(user: Viewer, query: str) -> list[Json]:
    """As the web form's type-ahead (forms.views.pupil_search): at least two
    characters, pupils on roll at the user's schools, a few results, identity only."""
    query = query.strip()[:50]
    if len(query) < 2:
        return []
    matches = pupils_reportable_by(user).filter(
        Q(first_name__icontains=query)
        | Q(last_name__icontains=query)
        | Q(preferred_name__icontains=query)
        | Q(upn__iexact=query)
    )[:SEARCH_LIMIT]
    return [
        {
            "id": pupil.pk,
            "name": pupil.display_name,
            "year_group": pupil.get_year_group_display(),
            "school": pupil.school.name,
            "label": f"{pupil.display_name} · {pupil.get_year_group_display()}"
            f" · {pupil.school.name}",
        }
        for pupil in matches
    ]


def concerns_of(
    user: Viewer, *, limit: int, offset: int = 0, cursor: str = ""
) -> tuple[int, list[Json], str | None]:
    """The user's own reports, content-free, newest first: (count, page, the
    next page's cursor). Raises cursors.CursorInvalid for a cursor not given here."""
    concerns = concerns_reported_by(user)
    rows, after = cursors.page(
        concerns,
        kind="my_concerns",
        ordering=["-submitted_at", "-pk"],
        limit=limit,
        cursor=cursor,
        offset=offset,
    )
    return (
        concerns.count(),
        [
            {
                "reference": concern.reference,
                "form": concern.form_title,
                "submitted_at": concern.submitted_at,
                "status": concern.status,
                "status_label": str(concern.get_status_display()),
            }
            for concern in rows
        ],
        after,
    )


def _counted(tasks: QuerySet[CaseTask]) -> dict[str, int]:
    # (named apart from the fields the filters read: "urgent" is one)
    counted = tasks.order_by().aggregate(
        n_total=Count("pk"),
        n_urgent=Count("pk", filter=Q(urgent=True)),
        n_overdue=Count("pk", filter=overdue_filter(tasks)),
    )
    return {name.removeprefix("n_"): value for name, value in counted.items()}


def task_counts(user: Viewer) -> dict[str, int | None]:
    """What the menu and the dashboard count, in two queries: tasks the user holds,
    and their teams' unclaimed tasks (only for someone in a team, as the web's
    Team queue page refuses everyone else)."""
    mine = _counted(my_tasks(user))
    queue = _counted(team_queue(user)) if is_in_any_team(user) else {}
    return {
        "my_tasks": mine["total"],
        "my_tasks_urgent": mine["urgent"],
        "my_tasks_overdue": mine["overdue"],
        "team_queue": queue.get("total"),
        "team_queue_urgent": queue.get("urgent"),
        "team_queue_overdue": queue.get("overdue"),
    }


def schools_of(user: Viewer) -> list[Json]:
    return [{"id": school.pk, "name": school.name} for school in schools_where(user)]
