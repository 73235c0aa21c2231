"""Chronicle's JSON API, version 1, mounted at /api/v1/ (site/chronicle/urls.py).

Endpoints are thin: a selector reads (with the web's permission rules), a service
writes. The OpenAPI document is generated from these functions and api.schemas and
served at /api/v1/openapi.json; docs/api.md explains it for people.
"""

from functools import wraps

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import File, Form, NinjaAPI, Path, Query, Router, Status, UploadedFile
from ninja.errors import ValidationError as RequestInvalid
from pydantic import ValidationError as PayloadInvalid

from forms.models import ConcernFormPage
from records.uploads import check_scanned

from . import cursors, problems, schemas, selectors, services
from .auth import TokenAuth, TokenRateThrottle, acting_as_token_user
from .casework.endpoints import casework as casework_reads
from .casework.endpoints import reports as report_reads
from .models import Scope
from .roll_sync.endpoints import router as roll_sync

ERRORS = dict.fromkeys((400, 401, 403, 404, 413, 422, 429), schemas.Problem)
SUBMIT_ERRORS = {**ERRORS, 409: schemas.Problem}


class ChronicleApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """Errors are documented as what they are: application/problem+json; and
        each operation names the token scope it needs, as `x-scopes` and in its
        security requirement ({"TokenAuth": ["casework"]}: OpenAPI 3.1 lets a
        non-OAuth scheme list the roles it needs)."""
        document = super().get_openapi_schema(**kwargs)
        scopes = self._scopes()
        for path in document["paths"].values():
            for operation in path.values():
                needed = scopes.get(operation.get("operationId"))
                if needed is not None:
                    operation.setdefault("x-scopes", needed)
                    operation["security"] = [{"TokenAuth": needed}]
                for status, response in operation["responses"].items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[problems.CONTENT_TYPE] = content.pop("application/json")
        return document

    def _scopes(self):
        """{operation id: [the personal token scope it needs]} ([] for any)."""
        found = {}
        for _prefix, router in self._routers:
            for view in router.path_operations.values():
                for operation in view.operations:
                    auths = operation.auth_callbacks or [router.auth]
                    for auth in auths:
                        if isinstance(auth, TokenAuth):
                            scope = auth.scope.value if auth.scope else None
                            found[operation.operation_id] = [scope] if scope else []
        return found


api = ChronicleApi(
    title="Chronicle API",
    version="1",
    description=(
        "Render the concern forms a school has configured, look up pupils, submit "
        "concerns and follow their status, and read casework task counts. "
        "Authenticate with a personal API token (Authorization: Bearer chr_…) made "
        "in Chronicle under *API tokens*. See docs/api.md."
    ),
    urls_namespace="api-v1",
    docs_url=None,  # Swagger UI would load its assets from a CDN: nothing may.
    throttle=[TokenRateThrottle()],
)


def refusing_unknown_query_parameters(view):
    """A query parameter the operation doesn't take is refused (422, naming it), as
    an unknown body field is: `/pupils?query=Ava` must not answer "no one found"."""
    known = {
        field.alias or name
        for model in view._ninja_operation.models
        if model.__ninja_param_source__ == "query"
        for name, field in model.model_fields.items()
    }

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        unknown = sorted(set(request.GET) - known)
        if unknown:
            raise RequestInvalid(
                [
                    {
                        "loc": ("query", name),
                        "msg": "",
                        "type": "extra_forbidden",
                        "ctx": {"known": sorted(known)},
                    }
                    for name in unknown
                ]
            )
        return view(request, *args, **kwargs)

    return wrapper


api.add_decorator(acting_as_token_user)
api.add_decorator(refusing_unknown_query_parameters)
problems.install(api)

reporting = Router(auth=TokenAuth(Scope.SUBMIT), tags=["Reporting concerns"])
casework = Router(auth=TokenAuth(Scope.TASKS), tags=["Casework"])
account = Router(auth=TokenAuth(), tags=["Token"])

PAYLOAD = Form(
    ..., description="The concern as JSON (ConcernIn, as sent to concern_submit)."
)
ATTACHMENTS = File(None, description="Files, checked as the web form checks them.")
FormId = Path(..., ge=1, le=schemas.MAX_ID, description="A form id from /forms.")


# -- the token itself ----------------------------------------------------------------


@account.get(
    "/token", operation_id="token_info", response={200: schemas.TokenInfo, **ERRORS}
)
def token_info(request):
    """Who the token acts for, what it may do, until when."""
    token = request.auth
    return {
        "user": str(token.user),
        "scopes": token.scopes,
        "expires_at": token.expires_at,
        "schools": selectors.schools_of(token.user),
    }


# -- reporting a concern (scope "submit") ------------------------------------------


@reporting.get(
    "/forms",
    operation_id="forms_list",
    response={200: list[schemas.FormSummary], **ERRORS},
)
def forms_list(request):
    """The concern forms the user may fill in (the web dashboard's list)."""
    return [
        {"id": page.pk, "title": page.title, "send_to": page.send_to, "url": page.url}
        for page in selectors.forms_for(request.user)
    ]


@reporting.get(
    "/forms/{form_id}",
    operation_id="form_detail",
    response={200: schemas.FormDefinition, **ERRORS},
)
def form_detail(request, form_id: int = FormId):
    """A form's full definition: core questions, the form's own questions,
    categories with their definitions, locations and involvement roles."""
    page = selectors.form_for(request.user, form_id)
    if page is None:
        raise Http404
    return selectors.form_definition(page, request.user)


@reporting.post(
    "/forms/{form_id}/concerns",
    operation_id="concern_submit",
    response={201: schemas.ConcernOut, 200: schemas.ConcernOut, **SUBMIT_ERRORS},
)
def concern_submit(request, payload: schemas.ConcernIn, form_id: int = FormId):
    """Submit a concern on this form: 201 when saved, 200 with the same record
    when this submission_key was already sent with the same content (a retry),
    409 when it was sent with other content. A refusal is 422 with each field's
    messages (a field the schema doesn't know included), and nothing is stored.
    A form retired since the client fetched it still accepts the report, as the
    web page does."""
    page = ConcernFormPage.objects.filter(pk=form_id).first()
    if page is None or not page.is_offered_to(request.user):  # another school's
        raise Http404
    concern, created = services.concern_submit_from_api(
        page=page, user=request.user, payload=payload
    )
    return Status(201 if created else 200, _concern_out(concern))


@reporting.post(
    "/forms/{form_id}/concerns/with-files",
    operation_id="concern_submit_with_files",
    response={201: schemas.ConcernOut, 200: schemas.ConcernOut, **SUBMIT_ERRORS},
)
def concern_submit_with_files(
    request,
    form_id: int = FormId,
    payload: str = PAYLOAD,
    attachments: list[UploadedFile] = ATTACHMENTS,
):
    """The same submission as multipart/form-data, with files (photos of notes, a
    scanned paper form): a `payload` part holding the JSON, and up to five
    `attachments` parts. Same answers, same idempotency, same refusals."""
    unknown = (set(request.POST) - {"payload"}) | (set(request.FILES) - {"attachments"})
    if unknown:  # a misspelt "attachment" part must not drop the files unheard
        raise RequestInvalid(
            [
                {"loc": ("form", name), "msg": "", "type": "extra_forbidden"}
                for name in sorted(unknown)
            ]
        )
    page = ConcernFormPage.objects.filter(pk=form_id).first()
    if page is None or not page.is_offered_to(request.user):  # another school's
        raise Http404
    try:
        concern_in = schemas.ConcernIn.model_validate_json(payload)
    except PayloadInvalid as invalid:
        # Errors are named as in the JSON body; JSON that doesn't parse, "payload".
        raise RequestInvalid(
            [
                {**error, "loc": ("body", "payload", *error["loc"])}
                if error["loc"]
                else {**error, "loc": ("form", "payload")}
                for error in invalid.errors()
            ]
        ) from None
    _scan_first(request.user, attachments or [])
    concern, created = services.concern_submit_from_api(
        page=page,
        user=request.user,
        payload=concern_in,
        files={"attachments": attachments or []},
    )
    return Status(201 if created else 200, _concern_out(concern))


def _scan_first(user, attachments):
    """Scan the files before the service's transaction: a harmful file's audit
    entry must outlive the refusal's rollback (records.uploads). The form then
    sees each file's verdict and does not scan it again."""
    errors = []
    for upload in attachments:
        try:
            check_scanned(upload, user=user)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise services.SubmissionRefused({"attachments": errors})


def _concern_out(concern):
    return {
        "reference": concern.reference,
        "form": concern.form_title,
        "submitted_at": concern.submitted_at,
        "status": concern.status,
        "status_label": str(concern.get_status_display()),
    }


@reporting.get(
    "/pupils",
    operation_id="pupils_search",
    response={200: schemas.PupilResults, **ERRORS},
)
def pupils(request, q: str = Query("", max_length=200, description="Name or UPN")):
    """Pupils on roll at the user's schools matching a name (at least two
    characters) or a whole UPN; ten at most; identity only."""
    if "\x00" in q:
        return problems.problem(
            422, _("The request is not valid."), {"q": [_("Invalid text.")]}
        )
    services.api_read_record(token=request.auth, request=request)
    return {"results": selectors.pupils_matching(request.user, q)}


@reporting.get(
    "/concerns",
    operation_id="my_concerns",
    response={200: schemas.ConcernPage, **ERRORS},
)
def my_concerns(
    request,
    limit: int = Query(25, ge=1, le=100),
    offset: int = Query(0, ge=0, le=1_000_000),
    cursor: str = Query("", max_length=2000),
):
    """The concerns the user reported or recorded, newest first: reference, form,
    when, status. Never what the safeguarding team recorded. Page with `cursor`
    (the `next_cursor` of the page before); `offset` still works as it did, and
    is refused with a cursor."""
    if cursor and offset:
        return problems.problem(
            422,
            _("The request is not valid."),
            {"offset": [_("Send a cursor or an offset, not both.")]},
        )
    try:
        count, items, after = selectors.concerns_of(
            request.user, limit=limit, offset=offset, cursor=cursor
        )
    except cursors.CursorInvalid:
        return problems.problem(
            422,
            _("The request is not valid."),
            {
                "cursor": [
                    _("This cursor is not one this list gave: start again without it.")
                ]
            },
        )
    return {"count": count, "items": items, "next_cursor": after}


# -- casework (scope "tasks") ------------------------------------------------------


@casework.get(
    "/tasks/counts",
    operation_id="task_counts",
    response={200: schemas.TaskCounts, **ERRORS},
)
def task_counts(request):
    """Open tasks the user holds, and their teams' unclaimed queue (null for
    someone in no team): each with how many are urgent and overdue."""
    return selectors.task_counts(request.user)


api.add_router("", account)
api.add_router("", reporting)
api.add_router("", casework)
api.add_router("", casework_reads)
api.add_router("", report_reads)
api.add_router("", roll_sync)
