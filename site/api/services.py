"""Writes of the API: tokens (make, revoke, check) and concerns sent as JSON.

A concern sent to the API goes through the same form as the web page
(CoreConcernForm built by the page's ConcernFormBuilder, with the user's schools)
and then the same service (forms.services.concern_submit_from_form, which opens it
with workflows.services.concern_open, idempotent on the submission key): the API
accepts exactly what the page accepts, and its concern starts the same process.
"""

import hashlib
import hmac
import json
import re
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import security_event
from forms.forms import ADULT_PREFIX, QUESTION_PREFIX
from forms.services import concern_submit_from_form
from records.models import Concern

from .conf import api_setting
from .models import ApiToken, SubmittedConcern

TOKEN_START = "chr_"  # noqa: S105 (a marker, not a secret)
PREFIX_LENGTH = 12


class TokenRefused(Exception):
    """The presented token opens nothing; `reason` is safe to tell its holder.
    `token` and `code` (wrong_secret, revoked, …) when its prefix is a real token's."""

    def __init__(
        self, reason: str, *, token: ApiToken | None = None, code: str = ""
    ) -> None:
        super().__init__(reason)
        self.reason, self.token, self.code = reason, token, code


class SubmissionRefused(Exception):
    """A concern the form would not accept: {field: [messages]}, "__all__" for the
    form as a whole. Nothing was stored."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


class SubmissionConflict(Exception):
    """The submission key was already used by this user for a different concern:
    a retry must send the same report. Nothing was stored."""

    def __init__(self, detail):
        super().__init__(detail)
        self.detail = detail


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, name: str, scopes: list[str], days: int | None = None
) -> tuple[ApiToken, str]:
    """Make a token for the user. Returns (token, the secret to show once)."""
    days = api_setting("CHRONICLE_API_TOKEN_DAYS") if days is None else days
    if not 1 <= days <= api_setting("CHRONICLE_API_TOKEN_MAX_DAYS"):
        raise ValidationError(
            {
                "days": _("A token lasts between 1 and %(max)d days.")
                % {"max": api_setting("CHRONICLE_API_TOKEN_MAX_DAYS")}
            }
        )
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    raw = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=prefix,
        secret_hash=_hash(raw),
        scopes=sorted(set(scopes)),
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    return token, raw


def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


PREFIX_PATTERN = re.compile(rf"{TOKEN_START}([0-9a-f]{{{PREFIX_LENGTH}}})_")


def token_prefix(raw: str | None) -> str | None:
    """The prefix a presented token claims ("3f9a1c0b2d4e"), or None when it is not
    shaped like one of ours: nothing else of it reaches the database or a log."""
    match = PREFIX_PATTERN.match(raw or "")
    return match[1] if match else None


def token_authenticate(*, raw: str) -> ApiToken:
    """The usable token `raw` names, its last use kept to the minute; TokenRefused
    otherwise, carrying the token when its prefix is known (token_refusal_record).

    A call is not written to the audit log here: the endpoints that read or write
    a child's record do that (api_read_record; a concern's creation is logged by
    the audit log itself). Every call goes to the request log (chronicle.logs)."""
    prefix = token_prefix(raw)
    token = None
    if prefix is not None:
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None:
        raise TokenRefused(_("Invalid or missing API token."))
    code, reason = _refusal(token, raw)
    if code:
        raise TokenRefused(reason, token=token, code=code)
    _record_use(token)
    return token


def token_refusal_record(*, refused: TokenRefused, request: HttpRequest) -> None:
    """Log a refused token on its owner, with no actor: whoever presented it has
    not shown they are that user. api.auth calls this for the first refusal of a
    prefix in each throttle window, not for every one (a client retrying a revoked
    token all night must not fill the log); an unknown token has no one to be
    logged against."""
    if refused.token is None:
        return
    security_event(
        user=refused.token.user,
        event="api_token_refused",
        token=refused.token.prefix,
        reason=refused.code,
        path=request.path,
    )


def _refusal(token: ApiToken, raw: str) -> tuple[str, str]:
    """(code for the log, message for the client), or ("", "") for a usable token."""
    if not hmac.compare_digest(token.secret_hash, _hash(raw)):
        return "wrong_secret", _("Invalid or missing API token.")
    reset_at = token.user.credentials_reset_at
    if token.revoked_at is not None or (reset_at and token.created_at <= reset_at):
        # A token made before the user's password or two-factor was reset is
        # revoked with the reset (accounts.services), even if that write was missed.
        return "revoked", _("This API token has been revoked.")
    if token.is_expired:
        return "expired", _("This API token has expired.")
    if not token.user.is_active:
        return "account_disabled", _("This account is disabled.")
    return "", ""


def _record_use(token: ApiToken) -> None:
    now = timezone.now()
    stale = now - timedelta(seconds=api_setting("CHRONICLE_API_LAST_USED_RESOLUTION"))
    if token.last_used_at is None or token.last_used_at < stale:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def api_read_record(*, token: ApiToken, request: HttpRequest) -> None:
    """An ACCESS entry on the token's user for a call that reads children's
    records (the pupil look-up): the method and path, never the query string, so
    what was searched for is not copied into the log."""
    security_event(
        user=token.user,
        actor=token.user,
        event="api_request",
        token=token.prefix,
        method=request.method,
        path=request.path,
    )


# -- concerns sent as JSON ----------------------------------------------------------


def _text(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _form_data(payload, questions):
    """The JSON payload as the web form would post it."""
    data = QueryDict(mutable=True)
    data.setlist("pupil", [str(row.pupil) for row in payload.pupils])
    data.setlist("pupil_role", [row.role for row in payload.pupils])
    for name in (
        "submission_key",
        "occurred_on",
        "location",
        "location_detail",
        "what_happened",
        "child_voice",
        "child_voice_not_known",
        "primary_category",
        "actions_taken",
        "reported_by_name",
    ):
        data[name] = _text(getattr(payload, name))
    data["occurred_at"] = payload.occurred_at.isoformat() if payload.occurred_at else ""
    data["immediate_risk"] = _text(payload.immediate_risk)
    data.setlist("tags", [str(pk) for pk in payload.tags])
    if payload.adult is not None:
        adult = payload.adult
        data["adult_kind"], data["adult_role"] = adult.kind, adult.role
        data["adult_person"] = str(adult.person or "")
        data["adult_name"], data["adult_job_title"] = adult.name, adult.job_title
        data["adult_relationship"] = adult.relationship
        data["adult_school"] = str(adult.school or "")
    marks = payload.body_map
    data.setlist("body_map_region", [f"{m.view}.{m.region}" for m in marks])
    for part in ("x", "y", "description", "size", "colour"):
        data.setlist(f"body_map_{part}", [_text(getattr(m, part)) for m in marks])
    errors = {}
    for name, answer in payload.answers.items():
        if name not in questions:
            errors[f"answers.{name}"] = [_("This form has no such question.")]
        elif isinstance(answer, list):
            data.setlist(QUESTION_PREFIX + name, [_text(item) for item in answer])
        else:
            data[QUESTION_PREFIX + name] = _text(answer)
    return data, errors


def _api_name(field):
    if field.startswith(QUESTION_PREFIX):
        return f"answers.{field[len(QUESTION_PREFIX) :]}"
    if field.startswith(ADULT_PREFIX):
        return f"adult.{field[len(ADULT_PREFIX) :]}"
    return field


def _form_errors(form):
    return {
        _api_name(field): [str(message) for message in messages]
        for field, messages in form.errors.items()
    }


def _service_errors(error, form):
    if not hasattr(error, "error_dict"):
        return {"__all__": [str(message) for message in error.messages]}
    return {
        (_api_name(field) if field in form.fields else "__all__"): [
            str(message) for message in messages
        ]
        for field, messages in error.message_dict.items()
    }


def submission_fingerprint(*, page, payload) -> str:
    """What a retry must repeat: the form and the JSON (schemas.ConcernIn, defaults
    filled in, so an omitted field and its default are the same). Files are not
    part of it: a retry may name them differently (the first set is kept)."""
    dumped = payload.model_dump(mode="json")
    if dumped.get("adult") and dumped["adult"].get("school") is None:
        # Added later: a retry of a report sent before it existed still matches.
        del dumped["adult"]["school"]
    if not dumped["body_map"]:
        # As before body maps existed: a retry of an older report still matches.
        del dumped["body_map"]
    content = {"form": page.pk, "payload": dumped}
    return _hash(json.dumps(content, sort_keys=True, separators=(",", ":")))


def _check_repeat(*, key, user, fingerprint):
    """A key this user already sent must come with the same content (a retry);
    other content under an old key is refused, never answered with the old record
    as if it had been saved."""
    sent = SubmittedConcern.objects.filter(
        concern__submission_key=key, concern__recorded_by=user
    ).first()
    if sent is not None and sent.fingerprint != fingerprint:
        raise SubmissionConflict(
            _(
                "This submission key was already used for a different concern "
                "(%(reference)s). Make a new key for a new report; a retry must "
                "send exactly the same content."
            )
            % {"reference": sent.concern.reference}
        )


@transaction.atomic
def concern_submit_from_api(*, page, user, payload, files=None) -> tuple[Concern, bool]:
    """Validate `payload` (schemas.ConcernIn) with the page's own form and save it.
    Returns (concern, created); raises SubmissionRefused or SubmissionConflict,
    having stored nothing."""
    fingerprint = submission_fingerprint(page=page, payload=payload)
    _check_repeat(key=payload.submission_key, user=user, fingerprint=fingerprint)
    questions = {field.clean_name for field in page.get_form_fields()}
    data, errors = _form_data(payload, questions)
    form = page.get_form(data, MultiValueDict(files or {}), page=page, user=user)
    if payload.reported_by_name.strip() and "reported_by_name" not in form.fields:
        # The web form has no such field for them; here it must not pass unheard.
        errors["reported_by_name"] = [
            _("Only the school's DSLs can record a report on someone's behalf.")
        ]
    if not form.is_valid() or errors:
        raise SubmissionRefused({**_form_errors(form), **errors})
    key = form.cleaned_data["submission_key"]
    repeat = Concern.objects.filter(submission_key=key, recorded_by=user).exists()
    try:
        concern = _submit(page=page, form=form)
    except ValidationError as error:
        raise SubmissionRefused(_service_errors(error, form)) from error
    # A key first sent from the web, or before keys were fingerprinted, takes the
    # content of its first API submission; two different reports sent at once
    # under one key meet here, and the second is refused.
    SubmittedConcern.objects.get_or_create(
        concern=concern, defaults={"fingerprint": fingerprint}
    )
    _check_repeat(key=key, user=user, fingerprint=fingerprint)
    return concern, not repeat


def _submit(*, page, form):
    """A report sent from another client must not throw away the user's web draft
    of this form, half-written in the browser."""
    return concern_submit_from_form(page=page, form=form, discard_draft=False)
