"""Refused requests for case URLs, recorded: a signed-in user who asks for a child's
file, a concern, a task, a document, the audit log or an API object they may not see
gets a 404 (or 403) as before, and an ACCESS_DENIED audit entry names what was asked
for — the URL's name and the object's id, never its content.

Recorded centrally (RefusedAccessMiddleware, audit.middleware) rather than in each
view: every view below refuses through the selectors' 404, so the response is where
all refusals meet. Only the URL names in CASE_URLS are covered; a new case URL needs
a line here (tests/audit/test_refusals.py checks that each name still resolves).

Where the entry is shown: it is about the record asked for when that record exists
(so the DSLs of the record's school see it in their audit log, as they see every
other entry about it), and about the person refused otherwise (a made-up id, the
audit log itself: the DSLs of that person's schools see it).

Rate limit: AUDIT_REFUSALS_PER_WINDOW entries per user in each window of
AUDIT_REFUSAL_WINDOW_SECONDS, counted in the cache (add + incr: atomic in Redis,
shared by every app server), so a crawler cannot flood the log; the last entry
before the limit says that further refusals go unrecorded until the window ends.
"""

import time

from auditlog import get_logentry_model
from django.apps import apps
from django.conf import settings
from django.core.cache import cache

from .models import AuditAction
from .scopes import SCHOOL_SCOPES

STATUSES = (403, 404)

_PUPIL = ("records.pupil", "pk")
# view name (namespace:name) -> (model label, URL keyword naming the object) or
# (None, None) for a page with no object (the audit log's lists).
CASE_URLS = {
    # the child's file and what hangs off it
    "records_admin:file_detail": _PUPIL,
    "records_admin:file_note_add": _PUPIL,
    "records_admin:file_link_add": _PUPIL,
    "records_admin:file_person_add": _PUPIL,
    "records_admin:file_person_end": _PUPIL,
    "records_admin:file_flag_add": _PUPIL,
    "records_admin:file_flag_end": _PUPIL,
    "records_admin:file_access": _PUPIL,
    "records_admin:file_export": _PUPIL,
    "records_admin:file_addendum_add": _PUPIL,
    "records_admin:file_significant": _PUPIL,
    "records_admin:file_restrict": _PUPIL,
    "records_admin:file_audits": _PUPIL,
    "records_admin:retention_destroy": _PUPIL,
    "records_admin:retention_hold_add": _PUPIL,
    "workflows:transfer_out_start": ("records.pupil", "pupil_pk"),
    "records_admin:file_audit_detail": ("records.fileaudit", "pk"),
    # documents and attachments
    "records_admin:file_document": ("records.noteattachment", "pk"),
    "records:attachment_download": ("records.concernattachment", "pk"),
    "workflows:transfer_document": ("records.transferdocument", "document_pk"),
    # concerns, tasks, transfers
    "workflows:casework_concern": ("records.concern", "pk"),
    "workflows:concern_reopen": ("records.concern", "pk"),
    "workflows:casework_task": ("workflows.casetask", "pk"),
    "workflows:task_claim": ("workflows.casetask", "pk"),
    "workflows:task_release": ("workflows.casetask", "pk"),
    "workflows:task_reassign": ("workflows.casetask", "pk"),
    "workflows:transfer_detail": ("records.transfer", "pk"),
    # the audit log
    "oversight:audit_log": (None, None),
    "oversight:audit_log_export": (None, None),
    "oversight:audit_log_object": (None, "object_pk"),
    "oversight:audit_log_object_export": (None, "object_pk"),
    "oversight:audit_log_person": ("accounts.user", "user_id"),
    "oversight:audit_log_person_export": ("accounts.user", "user_id"),
    # the API's objects
    "api-v1:form_detail": ("concern_forms.concernformpage", "form_id"),
}


def _placed_object(label, object_id):
    """The record the entry is about: the one asked for, if it exists and the audit
    log can place it at a school (a task is placed through its process)."""
    if not label or object_id in (None, ""):
        return None
    try:
        model = apps.get_model(label)
        found = model._default_manager.filter(pk=object_id).first()
    except (LookupError, ValueError, TypeError):
        return None
    if found is not None and label == "workflows.casetask":
        found = (
            apps.get_model("workflows.caseprocess")
            ._default_manager.filter(pk=found.process_id)
            .first()
        )
        label = "workflows.caseprocess"
    if found is None or label not in SCHOOL_SCOPES or label == "accounts.user":
        return None
    return found


def _within_limit(user_id) -> tuple[bool, bool]:
    """(record this one?, is it the last before the limit?)."""
    window = settings.AUDIT_REFUSAL_WINDOW_SECONDS
    limit = settings.AUDIT_REFUSALS_PER_WINDOW
    key = f"audit-refusals:{user_id}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, 1, timeout=window + 1)
        count = 1
    return count <= limit, count == limit


def case_url(request):
    """(view name, (label, kwarg)) if the request was for a case URL, else None."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in CASE_URLS:
        return None
    return match.view_name, CASE_URLS[match.view_name]


def record_refusal(*, request, user, status: int):
    """Write the ACCESS_DENIED entry for a refused case URL, within the rate limit.
    Returns the entry, or None when the request was no case URL or over the limit."""
    found = case_url(request)
    if found is None:
        return None
    view_name, (label, kwarg) = found
    record, last = _within_limit(user.pk)
    if not record:
        return None
    object_id = request.resolver_match.kwargs.get(kwarg) if kwarg else None
    placed = _placed_object(label, object_id)
    subject = placed if placed is not None else user
    details = {
        "event": "access refused",
        "url_name": view_name,
        "method": request.method,
        "status": status,
    }
    if kwarg:
        details["object"] = {"kind": label or "", "id": str(object_id)[:64]}
    if last:
        details["limit_reached"] = (
            f"further refusals for this user are not recorded for up to "
            f"{settings.AUDIT_REFUSAL_WINDOW_SECONDS // 60} minutes"
        )
    entry_model = get_logentry_model()
    return entry_model.objects.log_create(
        subject,
        force_log=True,
        action=AuditAction.ACCESS_DENIED,
        actor=user,
        remote_addr=request.META.get("REMOTE_ADDR") or None,
        # A record is named, not described: no case content in the entry.
        object_repr=(
            str(user)
            if subject is user
            else f"{subject._meta.verbose_name} #{subject.pk}"
        ),
        serialized_data=None,
        additional_data=details,
    )
