"""A bundle's records made again as the receiving school's own kinds of record.

Each chronology entry that carries its record (format 1 bundles from this
Chronicle do) becomes a Concern with the child's role, a Triage, a Decision with
its rationale, a Referral with the agency's outcome and reasons, an Action, a
Closure, a FileNote or a PupilFlag; the key people become KeyPersons. Each gets an
ImportedRecord: "from <school>, received <date>", who recorded it there. The
front sheet, the chronology's filters, file health and reports then read them as
the records they are; reports count them apart through records.imported_ids.

An imported record is history, not new work: no process is started for it, no
one is notified, and the clock does not reopen it. Attachments go with their
entries; significance marks and addenda are kept. An entry this school cannot
make as a record (an audit, a text entry from an older file, a step whose
concern did not come) is returned for the text import (PreviousSchoolEntry)."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from accounts.models import User
from records.models import (
    Action,
    Addendum,
    Closure,
    Concern,
    ConcernAttachment,
    ConcernPupil,
    Decision,
    DecisionOutcome,
    FileNote,
    ImportedRecord,
    InvolvementRole,
    KeyPerson,
    NoteAttachment,
    PupilFlag,
    Referral,
    RiskLevel,
    ScanStatus,
    SignificantMark,
    Transfer,
    Triage,
)
from taxonomy.models import Term, Vocabulary

from ..bundle import Bundle
from .sent import at_of as _at
from .sent import choice as _choice
from .sent import cycle as _cycle
from .sent import date_of as _date
from .sent import datetime_of as _datetime
from .sent import email as _email
from .sent import key_role as _key_role
from .sent import listed as _list
from .sent import text as _text
from .sent import time_of as _time

NOT_GIVEN = "(not given)"


@dataclass
class Import:
    """One bundle coming into one child's file."""

    transfer: Transfer
    bundle: Bundle
    user: User
    school_name: str
    scan_status: ScanStatus
    stored: list[FieldFile]
    made: dict[str, models.Model] = field(default_factory=dict)

    @property
    def school(self):
        return self.transfer.school

    @property
    def pupil(self):
        return self.transfer.pupil


def history_import(
    *,
    transfer: Transfer,
    bundle: Bundle,
    user: User,
    school_name: str,
    scan_status: ScanStatus,
    stored: list[FieldFile],
) -> set[str]:
    """Make the bundle's records; returns the keys of the entries made."""
    run = Import(transfer, bundle, user, school_name, scan_status, stored)
    for entry in sorted(bundle.entries, key=_work_order):
        record = entry.get("record")
        maker = MAKERS.get(str(entry.get("kind")))
        if not isinstance(record, dict) or maker is None:
            continue
        made = maker(run, entry, record)
        if made is None:
            continue
        _provenance(run, made, entry)
        _marks(run, made, entry)
        run.made[str(entry.get("id"))] = made
    _attachments(run)
    return set(run.made)


def key_people_import(
    *, transfer: Transfer, people: list[dict[str, Any]], user: User, school_name: str
) -> None:
    """The key people the previous school listed (the social worker, most often),
    each marked as come from there."""
    for person in people:
        made = KeyPerson.objects.create(
            pupil=transfer.pupil,
            role=_key_role(person.get("role")),
            name=_text(person.get("name"), 200) or _(NOT_GIVEN),
            organisation=_text(person.get("organisation"), 200),
            phone=_text(person.get("phone"), 50),
            email=_email(person.get("email")),
            from_date=_date(person.get("from")),
            recorded_by=user,
        )
        origin = _mapping(person.get("origin"))
        ImportedRecord.objects.create(
            pupil=transfer.pupil,
            transfer=transfer,
            target_type=ContentType.objects.get_for_model(KeyPerson),
            target_id=made.pk,
            school_name=_text(origin.get("school"), 200) or school_name[:200],
            by=_text(origin.get("by"), 200),
            sent_key="key-person",
        )


# Steps need their concern, referrals their decision: make them in that order.
WORK_ORDER = ["flag", "concern", "triage", "decision", "referral", "action"]


def _work_order(entry: dict[str, Any]) -> tuple[int, str]:
    kind = str(entry.get("kind"))
    order = WORK_ORDER.index(kind) if kind in WORK_ORDER else len(WORK_ORDER)
    return order, str(entry.get("at"))


def _concern(run: Import, entry: dict, record: dict) -> Concern | None:
    at = _at(entry)
    concern = Concern(
        school=run.school,
        submission_key=uuid.uuid5(
            uuid.NAMESPACE_URL, f"chronicle:{run.bundle.manifest_hash}:{entry['id']}"
        ),
        status=_choice(record.get("status"), Concern.Status, Concern.Status.CLOSED),
        route=Concern.Route.DSL_TEAM,
        form_title=_text(record.get("form_title"), 255) or _("Concern"),
        reported_by_name=_text(entry.get("by"), 200) or _(NOT_GIVEN),
        recorded_by=run.user,
        occurred_on=_date(record.get("occurred_on")) or at.date(),
        occurred_at=_time(record.get("occurred_at")),
        location=_term(run, Vocabulary.LOCATION, record.get("location")),
        location_name=_term_name(record.get("location"), 120),
        location_detail=_text(record.get("location_detail"), 255),
        what_happened=_text(record.get("what_happened")) or _(NOT_GIVEN),
        child_voice=_text(record.get("child_voice")),
        child_voice_not_known=_text(record.get("child_voice_not_known")),
        primary_category=_term(run, Vocabulary.CATEGORY, record.get("category")),
        primary_category_name=_term_name(record.get("category"), 255),
        tag_names=[_text(tag, 255) for tag in _list(record.get("tags"))],
        immediate_risk=bool(record.get("immediate_risk")),
        actions_taken=_text(record.get("actions_taken")),
        answers=_list(record.get("answers")),
    )
    concern.full_clean(exclude=["location", "primary_category", "submission_key"])
    concern.save()
    _backdate(concern, "submitted_at", at)
    ConcernPupil.objects.create(
        concern=concern,
        pupil=run.pupil,
        role=_choice(record.get("role"), InvolvementRole, InvolvementRole.OTHER),
    )
    return concern


def _triage(run: Import, entry: dict, record: dict) -> Triage | None:
    concern = _made(run, record.get("concern"), Concern)
    if concern is None:
        return None
    triage = Triage.objects.create(
        concern=concern,
        cycle=_cycle(record),
        primary_category=_term(run, Vocabulary.CATEGORY, record.get("category")),
        primary_category_name=_term_name(record.get("category"), 255),
        tag_names=[_text(tag, 255) for tag in _list(record.get("tags"))],
        risk_level=_choice(record.get("risk_level"), RiskLevel, RiskLevel.MEDIUM),
        risk_reason=_text(record.get("risk_reason")) or _(NOT_GIVEN),
        actions_needed=_text(record.get("actions_needed")),
        triaged_by=run.user,
    )
    _backdate(triage, "triaged_at", _at(entry))
    return triage


def _decision(run: Import, entry: dict, record: dict) -> Decision | None:
    concern = _made(run, record.get("concern"), Concern)
    if concern is None:
        return None
    # The rationale is kept as the previous school wrote it: the check on a new
    # rationale's substance is for decisions made here.
    decision = Decision.objects.create(
        concern=concern,
        cycle=_cycle(record),
        outcome=_choice(record.get("outcome"), DecisionOutcome, DecisionOutcome.NFA),
        rationale=_text(record.get("rationale")) or _(NOT_GIVEN),
        consulted=_text(record.get("consulted")),
        review_on=_date(record.get("review_on")),
        decided_by=run.user,
    )
    _backdate(decision, "decided_at", _at(entry))
    return decision


def _referral(run: Import, entry: dict, record: dict) -> Referral | None:
    concern = _made(run, record.get("concern"), Concern)
    decision = _made(run, record.get("decision"), Decision)
    if concern is None or decision is None:
        return None
    at = _at(entry)
    referral = Referral.objects.create(
        concern=concern,
        decision=decision,
        agency=_term(run, Vocabulary.AGENCY, record.get("agency")),
        agency_name=_term_name(record.get("agency"), 255),
        response_due=_date(record.get("response_due")) or at.date(),
        contacted_on=_date(record.get("contacted_on")),
        method=_choice(record.get("method"), Referral.Method, ""),
        contact_name=_text(record.get("contact_name"), 200),
        reference=_text(record.get("reference"), 100),
        responded_on=_date(record.get("responded_on")),
        agency_outcome=_choice(
            record.get("agency_outcome"), Referral.AgencyOutcome, ""
        ),
        response=_text(record.get("response")),
        agency_rationale=_text(record.get("agency_rationale")),
        disagreement=_text(record.get("disagreement")),
        completed_at=_datetime(record.get("completed_at")),
    )
    _backdate(referral, "created_at", at)
    return referral


def _action(run: Import, entry: dict, record: dict) -> Action | None:
    """A done action comes in as one; an open one is the previous school's work
    and stays text here (it would otherwise sit in this DSL's own list)."""
    concern = _made(run, record.get("concern"), Concern)
    completed = _datetime(record.get("completed_at"))
    if concern is None or completed is None:
        return None
    at = _at(entry)
    action = Action.objects.create(
        concern=concern,
        kind=_choice(record.get("kind"), Action.Kind, Action.Kind.ACTION),
        description=_text(record.get("description"), 300) or _(NOT_GIVEN),
        assigned_to=run.user,
        due_on=_date(record.get("due_on")) or at.date(),
        created_by=run.user,
        completed_at=completed,
        completed_note=_text(record.get("completed_note"))
        or _text(record.get("assigned_to")),
    )
    _backdate(action, "created_at", at)
    return action


def _closure(run: Import, entry: dict, record: dict) -> Closure | None:
    concern = _made(run, record.get("concern"), Concern)
    if concern is None:
        return None
    closure = Closure.objects.create(
        concern=concern,
        cycle=_cycle(record),
        outcome_summary=_text(record.get("outcome_summary")) or _(NOT_GIVEN),
        rationale=_text(record.get("rationale")) or _(NOT_GIVEN),
        review_on=_date(record.get("review_on")),
        closed_by=run.user,
    )
    _backdate(closure, "closed_at", _at(entry))
    return closure


def _note(run: Import, entry: dict, record: dict) -> FileNote | None:
    concern = None
    if record.get("concern"):
        concern = _made(run, record.get("concern"), Concern)
        if concern is None:
            return None
    note = FileNote.objects.create(
        pupil=run.pupil,
        concern=concern,
        kind=_choice(record.get("kind"), FileNote.Kind, FileNote.Kind.OTHER),
        title=_text(record.get("title"), 200) or _("Note"),
        occurred_at=_datetime(record.get("occurred_at")) or _at(entry),
        body=_text(record.get("body")) or _(NOT_GIVEN),
        people=_text(record.get("people"), 300),
        child_voice=_text(record.get("child_voice")),
        recorded_by=run.user,
    )
    return note


def _flag(run: Import, entry: dict, record: dict) -> PupilFlag | None:
    """A flag this school has no term for stays text (the school's own list of
    flags is the DSL's to keep)."""
    term = _found_term(run, Vocabulary.PROFILE_FLAG, record.get("flag"))
    starts = _date(record.get("starts_on"))
    if term is None or starts is None:
        return None
    ends = _date(record.get("ends_on"))
    return PupilFlag.objects.create(
        pupil=run.pupil,
        flag=term,
        flag_name=_term_name(record.get("flag"), 255),
        starts_on=starts,
        ends_on=ends if ends is None or ends >= starts else None,
        note=_text(record.get("note"), 300),
        recorded_by=run.user,
    )


MAKERS: dict[str, Callable[[Import, dict, dict], models.Model | None]] = {
    "concern": _concern,
    "triage": _triage,
    "decision": _decision,
    "referral": _referral,
    "action": _action,
    "closure": _closure,
    "note": _note,
    "flag": _flag,
}


def _provenance(run: Import, made: models.Model, entry: dict) -> None:
    origin = _mapping(entry.get("origin"))
    ImportedRecord.objects.create(
        pupil=run.pupil,
        transfer=run.transfer,
        target_type=ContentType.objects.get_for_model(made),
        target_id=made.pk,
        school_name=_text(origin.get("school"), 200) or run.school_name[:200],
        by=_text(origin.get("by") or entry.get("by"), 200),
        sent_key=_text(entry.get("id"), 60),
    )


def _marks(run: Import, made: models.Model, entry: dict) -> None:
    """The entry's significance mark and its addenda, kept with it."""
    target_type = ContentType.objects.get_for_model(made)
    if entry.get("significant"):
        SignificantMark.objects.create(
            pupil=run.pupil,
            target_type=target_type,
            target_id=made.pk,
            marked_by=run.user,
        )
    for addendum in _list(entry.get("addenda")):
        if not isinstance(addendum, dict):
            continue
        reason = _text(addendum.get("reason")) or _(NOT_GIVEN)
        by = _text(addendum.get("by"))
        added = Addendum.objects.create(
            pupil=run.pupil,
            target_type=target_type,
            target_id=made.pk,
            reason=(f"{reason} ({by}, {run.school_name})" if by else reason)[:300],
            text=_text(addendum.get("text")) or _(NOT_GIVEN),
            recorded_by=run.user,
        )
        when = _datetime(addendum.get("at"))
        if when is not None:
            _backdate(added, "recorded_at", when)


def _attachments(run: Import) -> None:
    """Each document with the concern or note it was attached to."""
    for meta in run.bundle.attachments:
        made = run.made.get(str(meta.get("entry")))
        if isinstance(made, Concern):
            document: ConcernAttachment | NoteAttachment = ConcernAttachment(
                concern=made
            )
        elif isinstance(made, FileNote):
            document = NoteAttachment(note=made)
        else:
            continue
        document.original_name = _text(meta.get("name"), 255) or "document"
        document.content_type = _text(meta.get("content_type"), 100)
        document.size = len(run.bundle.files[meta["path"]])
        document.sha256 = meta["sha256"]
        document.uploaded_by = run.user
        document.scan_status = run.scan_status
        document.file.save(
            uuid.uuid4().hex, ContentFile(run.bundle.files[meta["path"]]), save=False
        )
        run.stored.append(document.file)
        document.save()
        meta["placed"] = True


def _made(run: Import, key: Any, model: type[models.Model]) -> Any:
    made = run.made.get(str(key or ""))
    return made if isinstance(made, model) else None


def _found_term(run: Import, vocabulary: str, sent: Any) -> Term | None:
    """This school's term for the sent one: by shipped key, then by name."""
    sent = _mapping(sent)
    terms = Term.objects.for_school(run.school).filter(
        vocabulary=vocabulary, merged_into__isnull=True
    )
    key, name = _text(sent.get("key"), 60), _text(sent.get("name"), 255)
    return (
        (key and terms.filter(key=key).first())
        or (name and terms.filter(name__iexact=name).first())
        or None
    )


def _term(run: Import, vocabulary: str, sent: Any) -> Term:
    """The school's term for the sent one, else its "other" term (the name as
    recorded stays on the record either way)."""
    terms = Term.objects.for_school(run.school).filter(
        vocabulary=vocabulary, merged_into__isnull=True
    )
    found = (
        _found_term(run, vocabulary, sent)
        or terms.filter(key="other").first()
        or terms.first()
    )
    if found is None:
        raise ValidationError(
            _("This school has no %(vocabulary)s to file the records under.")
            % {"vocabulary": Vocabulary(vocabulary).label}
        )
    return found


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _term_name(sent: Any, limit: int) -> str:
    name = _text(_mapping(sent).get("name"), limit)
    return name or _(NOT_GIVEN)


def _backdate(made: models.Model, field_name: str, when: datetime) -> None:
    """A record's own time is when the previous school made it, not now."""
    type(made)._default_manager.filter(pk=made.pk).update(**{field_name: when})
    setattr(made, field_name, when)
