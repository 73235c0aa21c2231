"""Each chronology entry's record, field by field, so the receiving school can
make the same kind of record (a Concern, a Decision, a Referral…) and not only a
page of text. Terms travel with their shipped `key` and their name, so the
receiver finds its own term; the name as recorded is kept either way.

An entry that came from an earlier school carries its `origin` on, so a file
that moves twice still says where each record was made."""

from records.models import InvolvementRole


def _iso(value):
    return value.isoformat() if value else None


def _name(user):
    return (user.get_full_name() or user.username) if user else ""


def _term(term, name):
    return {"key": getattr(term, "key", "") or "", "name": name}


def _concern_key(item):
    return f"concern-{item.concern_id}"


def _concern(entry):
    item = entry.item
    roles = {str(label): value for value, label in InvolvementRole.choices}
    return {
        "role": roles.get(str(entry.role), InvolvementRole.OTHER),
        "status": item.status,
        "form_title": item.form_title,
        "occurred_on": _iso(item.occurred_on),
        "occurred_at": _iso(item.occurred_at),
        "location": _term(item.location, item.location_name),
        "location_detail": item.location_detail,
        "what_happened": item.what_happened,
        "child_voice": item.child_voice,
        "child_voice_not_known": item.child_voice_not_known,
        "category": _term(item.primary_category, item.primary_category_name),
        "tags": list(item.tag_names),
        "immediate_risk": item.immediate_risk,
        "actions_taken": item.actions_taken,
        "answers": item.answers,
    }


def _triage(entry):
    item = entry.item
    return {
        "concern": _concern_key(item),
        "cycle": item.cycle,
        "category": _term(item.primary_category, item.primary_category_name),
        "tags": list(item.tag_names),
        "risk_level": item.risk_level,
        "risk_reason": item.risk_reason,
        "actions_needed": item.actions_needed,
    }


def _decision(entry):
    item = entry.item
    return {
        "concern": _concern_key(item),
        "cycle": item.cycle,
        "outcome": item.outcome,
        "rationale": item.rationale,
        "consulted": item.consulted,
        "review_on": _iso(item.review_on),
    }


def _referral(entry):
    item = entry.item
    return {
        "concern": _concern_key(item),
        "decision": f"decision-{item.decision_id}",
        "agency": _term(item.agency, item.agency_name),
        "response_due": _iso(item.response_due),
        "contacted_on": _iso(item.contacted_on),
        "method": item.method,
        "contact_name": item.contact_name,
        "reference": item.reference,
        "responded_on": _iso(item.responded_on),
        "agency_outcome": item.agency_outcome,
        "response": item.response,
        "agency_rationale": item.agency_rationale,
        "disagreement": item.disagreement,
        "completed_at": _iso(item.completed_at),
    }


def _action(entry):
    item = entry.item
    return {
        "concern": _concern_key(item),
        "kind": item.kind,
        "description": item.description,
        "assigned_to": _name(item.assigned_to),
        "due_on": _iso(item.due_on),
        "completed_at": _iso(item.completed_at),
        "completed_note": item.completed_note,
    }


def _closure(entry):
    item = entry.item
    return {
        "concern": _concern_key(item),
        "cycle": item.cycle,
        "outcome_summary": item.outcome_summary,
        "rationale": item.rationale,
        "review_on": _iso(item.review_on),
        "signed_off_by": _name(item.signed_off_by),
        "signed_off_at": _iso(item.signed_off_at),
    }


def _note(entry):
    item = entry.item
    return {
        "concern": _concern_key(item) if item.concern_id else None,
        "kind": item.kind,
        "title": item.title,
        "occurred_at": _iso(item.occurred_at),
        "body": item.body,
        "people": item.people,
        "child_voice": item.child_voice,
    }


def _flag(entry):
    item = entry.item
    return {
        "flag": _term(item.flag, item.flag_name),
        "starts_on": _iso(item.starts_on),
        "ends_on": _iso(item.ends_on),
        "note": item.note,
    }


RECORDS = {
    "concern": _concern,
    "triage": _triage,
    "decision": _decision,
    "referral": _referral,
    "action": _action,
    "closure": _closure,
    "note": _note,
    "flag": _flag,
}


def record(entry):
    """The entry's record, field by field; None for an entry that is only text
    here (a file audit, an entry a previous school sent as text)."""
    make = RECORDS.get(entry.kind)
    return make(entry) if make else None


def origin(imported):
    """Where a record that came from a previous school was made: carried on."""
    if imported is None:
        return None
    return {
        "school": imported.school_name,
        "by": imported.by,
        "received_on": _iso(imported.received_on),
    }
