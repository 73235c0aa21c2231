"""Writes of the API: tokens (make, revoke, check) and concerns sent as JSON.

A concern sent to the API goes through the same form as the web page
(CoreConcernForm built by the page's ConcernFormBuilder, with the user's schools)
and then the same service (records.services.concern_submit, idempotent on the
submission key): the API accepts exactly what the page accepts.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from audit.services import security_event
from forms.builder import QUESTION_PREFIX
from forms.services import concern_submit_from_form
from records.models import Concern

from .conf import api_setting
from .models import ApiToken

TOKEN_START = "chr_"  # noqa: S105 (a marker, not a secret)
PREFIX_LENGTH = 12


class TokenRefused(Exception):
    """The presented token opens nothing; `reason` is safe to tell its holder."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class SubmissionRefused(Exception):
    """A concern the form would not accept: {field: [messages]}, "__all__" for the
    form as a whole. Nothing was stored."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def _hash(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, name, scopes, days=None):
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


def token_revoke(*, token):
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def _find(raw):
    if not raw.startswith(TOKEN_START):
        return None
    prefix = raw[len(TOKEN_START) : len(TOKEN_START) + PREFIX_LENGTH]
    if len(prefix) != PREFIX_LENGTH:
        return None
    return ApiToken.objects.select_related("user").filter(prefix=prefix).first()


def token_authenticate(*, raw, request):
    """The usable token `raw` names, its use recorded (last used, and an ACCESS
    entry on its user naming the call); TokenRefused otherwise. A refused token
    whose prefix is known is logged against its user too, with no actor: whoever
    presented it has not shown they are that user."""
    token = _find(raw or "")
    if token is None:
        raise TokenRefused(_("Invalid or missing API token."))
    code, reason = _refusal(token, raw)
    if code:
        security_event(
            user=token.user,
            event="api_token_refused",
            token=token.prefix,
            reason=code,
            path=request.path,
        )
        raise TokenRefused(reason)
    _record_use(token, request)
    return token


def _refusal(token, raw):
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


def _record_use(token, request):
    now = timezone.now()
    stale = now - timedelta(seconds=api_setting("CHRONICLE_API_LAST_USED_RESOLUTION"))
    if token.last_used_at is None or token.last_used_at < stale:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
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


def concern_submit_from_api(*, page, user, payload, files=None):
    """Validate `payload` (schemas.ConcernIn) with the page's own form and save it.
    Returns (concern, created); raises SubmissionRefused, having stored nothing."""
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
    return concern, not repeat


def _submit(*, page, form):
    """A report sent from another client must not throw away the user's web draft
    of this form, half-written in the browser."""
    return concern_submit_from_form(page=page, form=form, discard_draft=False)
