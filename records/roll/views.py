"""Pupil import from an MIS export (admin pages): upload, preview, import.

Only a school's DSLs and deputy DSLs reach these pages; anyone else, and any school not
theirs, gets a 404. Between the preview and the import the checked rows wait in the
session under a random token (never as a file under MEDIA_ROOT); the token expires, and
importing consumes it, so a second click imports nothing. The rules are in
records.roll: these views validate, call it, and respond.
"""

import secrets
import time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.selectors import CASE_ROLES, schools_where
from taxonomy.models import Vocabulary
from taxonomy.selectors import terms_offered

from . import reading, selectors, services
from .forms import ImportConfirmForm, RollUploadForm

SESSION_KEY = "records.pupil_import"
PREVIEW_LIFETIME = 30 * 60  # seconds
ROWS_PER_PAGE = 50


def _schools(user):
    return schools_where(user, *CASE_ROLES)


def _school(request, school_id):
    return get_object_or_404(_schools(request.user), pk=school_id)


def _posted(request):
    """The form data of a POST, even an empty one (the import button sends none)."""
    return request.POST if request.method == "POST" else None


def _upload_url(school):
    return reverse("records_admin:pupil_import_school", args=[school.pk])


def index(request):
    """Straight to the upload for the user's one school, or a choice of several."""
    schools = list(_schools(request.user))
    if not schools:
        raise Http404
    if len(schools) == 1:
        return redirect(_upload_url(schools[0]))
    return TemplateResponse(request, "records/import/index.html", {"schools": schools})


@require_http_methods(["GET", "POST"])
def upload(request, school_id):
    school = _school(request, school_id)
    form = RollUploadForm(_posted(request), request.FILES or None)
    if form.is_valid():
        try:
            roll = reading.roll_file_read(
                school=school, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            token = _keep(request, school, roll, form.cleaned_data["whole_roll"])
            return redirect(
                "records_admin:pupil_import_preview", school_id=school.pk, token=token
            )
    return TemplateResponse(
        request,
        "records/import/upload.html",
        {
            "school": school,
            "schools": _schools(request.user),
            "form": form,
            "max_size": filesizeformat(reading.MAX_BYTES),
            "flags": terms_offered(Vocabulary.PROFILE_FLAG, school=school),
        },
    )


@require_http_methods(["GET", "POST"])
def preview(request, school_id, token):
    school = _school(request, school_id)
    pending = _pending(request, school, token)
    if pending is None:
        messages.warning(
            request,
            _(
                "That preview has expired or its file was already imported. Upload "
                "the file again to see what it would change."
            ),
        )
        return redirect(_upload_url(school))
    roll = reading.RollFile.from_data(pending["roll"])
    form = ImportConfirmForm(_posted(request), has_errors=roll.error_count > 0)
    if form.is_valid():
        return _import(request, school, token, roll, pending, form)
    return _preview_page(request, school, token, roll, pending, form)


def _preview_page(request, school, token, roll, pending, form):
    try:
        result = selectors.import_preview(
            school=school, roll=roll, whole_roll=pending["whole_roll"]
        )
    except ValidationError as error:
        _forget(request)
        messages.error(request, " ".join(error.messages))
        return redirect(_upload_url(school))
    rows = Paginator(_changes_first(result.rows), ROWS_PER_PAGE)
    leavers = Paginator(result.leavers, ROWS_PER_PAGE)
    return TemplateResponse(
        request,
        "records/import/preview.html",
        {
            "school": school,
            "token": token,
            "roll": roll,
            "preview": result,
            "counts": result.counts,
            "form": form,
            "rows_page": rows.get_page(request.GET.get("page")),
            "leavers_page": leavers.get_page(request.GET.get("leavers")),
        },
    )


ORDER = {
    selectors.Status.ERROR: 0,
    selectors.Status.NEW: 1,
    selectors.Status.UPDATED: 2,
    selectors.Status.UNCHANGED: 3,
}


def _changes_first(rows):
    """Errors, then new pupils, then changes, then the unchanged, each in file
    order: what needs the DSL's eye is on the first page."""
    return sorted(rows, key=lambda row: (ORDER[row.status], row.source.row))


def _import(request, school, token, roll, pending, form):
    _forget(request)
    try:
        result = services.import_apply(
            school=school,
            user=request.user,
            roll=roll,
            token=token,
            whole_roll=pending["whole_roll"],
            skip_errors=form.cleaned_data["skip_errors"],
        )
    except services.ImportAlreadyDone:
        messages.info(request, _("This file was already imported."))
    except ValidationError as error:
        messages.error(
            request,
            _("Nothing was imported: %(reason)s Upload the file again.")
            % {"reason": " ".join(error.messages)},
        )
    else:
        messages.success(request, _summary(result))
    return redirect(_upload_url(school))


def _summary(result):
    text = _(
        "Import done: %(created)d new pupils, %(updated)d updated, %(unchanged)d "
        "unchanged, %(left)d marked as left, %(flags_added)d profile flags added."
    ) % vars(result)
    if result.skipped:
        text += " " + _("%(skipped)d rows with errors were skipped.") % vars(result)
    return text


# The checked rows between preview and import: one pending import per session.


def _keep(request, school, roll, whole_roll):
    token = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {
        "token": token,
        "school": school.pk,
        "expires": time.time() + PREVIEW_LIFETIME,
        "whole_roll": whole_roll,
        "roll": roll.as_data(),
    }
    return token


def _pending(request, school, token):
    pending = request.session.get(SESSION_KEY)
    if (
        not pending
        or not constant_time_compare(pending["token"], token)
        or pending["school"] != school.pk
        or pending["expires"] < time.time()
    ):
        return None
    return pending


def _forget(request):
    request.session.pop(SESSION_KEY, None)


urlpatterns = [
    path("files/import/", index, name="pupil_import"),
    path("files/import/<int:school_id>/", upload, name="pupil_import_school"),
    path(
        "files/import/<int:school_id>/preview/<slug:token>/",
        preview,
        name="pupil_import_preview",
    ),
]
