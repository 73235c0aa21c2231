"""From a valid concern form to an open concern: the edge between forms/ and
workflows/ (workflows.services.concern_open stores it and starts its process)."""

import uuid
from datetime import date, time
from decimal import Decimal

from records.models import Concern
from records.services import Involvement
from workflows.services import concern_open

from .builder import QUESTION_PREFIX


def _answer_value(value):
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return value


def question_answers(page, form):
    """Each own-question answer with the question as it was worded when answered."""
    answers = []
    for question in page.get_form_fields():
        name = f"{QUESTION_PREFIX}{question.clean_name}"
        if name not in form.cleaned_data:
            continue
        answers.append(
            {
                "question": question.label,
                "type": question.field_type,
                "choices": question.choices,
                "help_text": question.help_text,
                "answer": _answer_value(form.cleaned_data[name]),
            }
        )
    return answers


DRAFT_SKIPPED = {"csrfmiddlewaretoken", "attachments"}


def draft_save(*, user, page, data):
    """Keep what has been typed so far (files cannot be kept). Returns None, saving
    nothing, when the form it comes from has already been sent (a late autosave)."""
    try:
        key = uuid.UUID(data.get("submission_key", ""))
    except ValueError:
        key = None
    if key and Concern.objects.filter(submission_key=key).exists():
        return None

    typed = {k: data.getlist(k) for k in data if k not in DRAFT_SKIPPED}
    draft, _created = page.drafts.update_or_create(user=user, defaults={"data": typed})
    return draft


def draft_discard(*, user, page):
    for draft in page.drafts.filter(user=user):
        draft.delete()


def concern_submit_from_form(*, page, form, discard_draft=True):
    """Open a concern from a valid form (its page says where it goes: `send_to`).
    The web form's draft is discarded; a report
    sent from another client (the API) keeps the one half-written in the browser."""
    data = form.cleaned_data
    involvements = [
        Involvement(pupil=row["pupil"], role=row["role"]) for row in form.involvements
    ]
    concern, _created = concern_open(
        school=form.concern_school(),
        recorded_by=form.user,
        reported_by_name=data.get("reported_by_name", ""),
        attachments=data["attachments"],
        submission_key=data["submission_key"],
        involvements=involvements,
        primary_category=data["primary_category"],
        location=data["location"],
        tags=list(data["tags"]),
        route=page.send_to,
        form_title=page.title,
        form_page_id=page.pk,
        occurred_on=data["occurred_on"],
        occurred_at=data["occurred_at"],
        location_detail=data["location_detail"],
        what_happened=data["what_happened"],
        child_voice=data["child_voice"],
        child_voice_not_known=data["child_voice_not_known"],
        immediate_risk=data["immediate_risk"],
        actions_taken=data["actions_taken"],
        body_map=data["body_map"],
        answers=question_answers(page, form),
        about_adult=form.about_adult(),
    )
    if discard_draft:
        draft_discard(user=form.user, page=page)
    return concern
