"""POST /api/v1/roll: an MIS connector pushes the school's roll with its service
token. Without `apply` it is a dry run (what would change); with it, the same
import as the admin page. Mounted by api.endpoints."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import File, Form, Router, UploadedFile
from ninja.errors import ValidationError as RequestInvalid

from records.roll import ImportAlreadyDone, Preview

from .. import problems, schemas
from ..models import ServiceScope
from . import services
from .auth import ServiceTokenAuth
from .schemas import RollPushOut

router = Router(auth=ServiceTokenAuth(ServiceScope.ROLL), tags=["Roll sync"])
ERRORS = dict.fromkeys((400, 401, 403, 409, 413, 422, 429), schemas.Problem)
PARTS = {"whole_roll", "apply", "skip_errors"}
FILE = File(..., description="The roll: a CTF (.xml), an .xlsx or a CSV.")
WHOLE_ROLL = Form(False, description="The file is the whole roll: the rest have left.")
APPLY = Form(False, description="Import it; without this, a dry run.")
SKIP_ERRORS = Form(False, description="Import the rows without errors, skip the rest.")


@router.post(
    "/roll",
    operation_id="roll_push",
    response={200: RollPushOut, **ERRORS},
    openapi_extra={"x-scopes": ["service:roll"]},
)
def roll_push(
    request,
    file: UploadedFile = FILE,
    whole_roll: bool = WHOLE_ROLL,
    apply: bool = APPLY,
    skip_errors: bool = SKIP_ERRORS,
):
    """Push the school's roll: a dry run by default (nothing is written), or with
    `apply=true` the import: new pupils added, changes made, and with
    `whole_roll=true` pupils missing from the file marked as left today (never
    deleted). Pushing the same file again changes nothing. A file for another
    school, or one that can't be read, is refused (422) and nothing is stored;
    rows with errors stop the import unless `skip_errors=true`. A part this
    operation doesn't take is refused by name: a misspelt `aply` must not turn
    an import into a silent dry run."""
    unknown = (set(request.POST) - PARTS) | (set(request.FILES) - {"file"})
    if unknown:
        raise RequestInvalid(
            [
                {
                    "loc": ("form", name),
                    "msg": "",
                    "type": "extra_forbidden",
                    "ctx": {"known": sorted({*PARTS, "file"})},
                }
                for name in sorted(unknown)
            ]
        )
    try:
        file_format, preview, result = services.roll_push(
            token=request.auth,
            upload=file,
            whole_roll=whole_roll,
            apply=apply,
            skip_errors=skip_errors,
        )
    except ImportAlreadyDone:  # a fresh receipt each push: cannot happen twice
        return problems.problem(409, _("This file was already imported."))
    except ValidationError as error:
        return problems.problem(
            422, _("Nothing was stored."), {"file": list(error.messages)}
        )
    return _out(preview, applied=result is not None, file_format=file_format)


def _out(preview: Preview, *, applied: bool, file_format: str):
    return {
        "applied": applied,
        "format": file_format,
        "counts": preview.counts,
        "rows": [
            {
                "row": row.source.row,
                "upn": row.source.upn,
                "status": row.status,
                "changed": [change.label for change in row.changes],
                "flags_added": [str(term) for term in row.new_flags],
                "errors": row.errors,
            }
            for row in preview.rows
            if row.status != "unchanged"
        ],
        "leavers": [pupil.upn for pupil in preview.leavers],
    }
