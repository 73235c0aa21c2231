"""Test builders: the one place tests make the things a safeguarding case is made of.

Each builder goes through the real services (records.services, workflows.services,
the transfer services), never by writing rows, so a test's setup takes the same path
as the web pages and the API: a concern is submitted and its process starts, a step is
claimed and completed by a member of the DSL team. Rows with invented values (a
school, a user, a pupil) come from tests/factories.py, which these builders use.

Application code is imported only by its public names (`records.models`,
`records.services`, `workflows.services`, `workflows.transfers`), so the modules
behind them can move.

Defaults are the ones most tests want; a test that depends on a detail (the words
of what happened, a date, a category) says so by passing it.
"""

import uuid
from datetime import date, timedelta

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SchoolTerm
from accounts.services import membership_grant
from records.models import (
    AdultConcernKind,
    AdultRole,
    Concern,
    ConcernPupil,
    Decision,
    FileNote,
    InvolvementRole,
    PupilFlag,
    Referral,
    Transfer,
)
from records.services import (
    Involvement,
    file_note_add,
    key_person_add,
)
from taxonomy.models import Term, Vocabulary
from workflows import services, transfers
from workflows.models import CaseTask

from .factories import PupilFactory, SchoolFactory, UserFactory

# What a DSL writes as the reason for a decision or a closure (long and specific
# enough for records.validators.validate_rationale).
RATIONALE = (
    "Ava has been pushed twice this week by the same boy; her parents agree to a "
    "plan and staff will supervise her at lunchtime."
)
WHAT_HAPPENED = "Ava said he pushed her off the climbing frame again."
CHILD_VOICE = "'I don't want to go outside at lunch.'"
RISK_REASON = "Repeated physical bullying at lunchtime by one pupil."
OUTCOME_SUMMARY = "Social care assessed; support plan in place at school."
OPEN = ["NEW", "ASSIGNED", "STARTED"]


# The shared lists ---------------------------------------------------------------------


def term(vocabulary, key):
    """The term of that list with that key (the lists are seeded by migrations)."""
    return Term.objects.get(vocabulary=vocabulary, key=key)


def _term(vocabulary, value):
    """A term given by key, or the term itself."""
    return value if isinstance(value, Term) else term(vocabulary, value)


# Schools and people -------------------------------------------------------------------


def school(**fields):
    """A school of the test trust (tests/factories.py names it)."""
    return SchoolFactory(**fields)


def member(at, *roles, others=(), two_factor=False, **user_fields):
    """A user holding `roles` at the school `at`, and each (school, role) of
    `others` (a trust lead holds roles at several schools). With two_factor, the
    user has an authenticator app, as everyone signing in has."""
    user = UserFactory(**user_fields)
    for role in roles:
        membership_grant(user=user, school=at, role=role)
    for other, role in others:
        membership_grant(user=user, school=other, role=role)
    if two_factor:
        TOTPDevice.objects.create(user=user, name="Authenticator app")
    return user


def pupil(at, **fields):
    """A child on the roll of the school `at`."""
    return PupilFactory(school=at, **fields)


# A concern and its casework -----------------------------------------------------------


def concern(
    *,
    by,
    school=None,
    children=None,
    category="bullying",
    location="playground",
    route=Concern.Route.DSL_TEAM,
    immediate_risk=False,
    occurred_on=None,
    what_happened=WHAT_HAPPENED,
    child_voice=CHILD_VOICE,
    form_title="General concern",
    **fields,
):
    """A concern reported by `by` through workflows.services.concern_open: stored
    with its children and files, its process started (the team is told).

    children: pupils (each the child the concern is about) or (pupil, role) pairs;
    by default one new child on the roll of `school`. school: by default the first
    child's. category and location: a key or a Term. Any other field
    concern_open takes (occurred_at, tags, attachments, submission_key,
    location_detail, actions_taken…) passes through."""
    if children is None:
        children = [pupil(school)]
    involvements = [
        Involvement(pupil=child, role=InvolvementRole.SUBJECT)
        if not isinstance(child, tuple)
        else Involvement(pupil=child[0], role=child[1])
        for child in children
    ]
    fields.setdefault("submission_key", uuid.uuid4())
    if route == Concern.Route.HEAD:
        fields.setdefault("about_adult", adult())
    created, _new = services.concern_open(
        school=school or involvements[0].pupil.school,
        recorded_by=by,
        involvements=involvements,
        primary_category=_term(Vocabulary.CATEGORY, category),
        location=_term(Vocabulary.LOCATION, location),
        route=route,
        form_title=form_title,
        occurred_on=occurred_on or timezone.localdate(),
        what_happened=what_happened,
        child_voice=child_voice,
        immediate_risk=immediate_risk,
        **fields,
    )
    return created


def adult(person=None, *, kind=AdultConcernKind.LOW_LEVEL, **fields):
    """What a reporter says about the adult a concern names: a member of staff
    (`person`) or, by default, a visitor typed in."""
    if person is not None:
        fields.setdefault("role", AdultRole.STAFF)
    return {
        "kind": kind,
        "person": person,
        "name": fields.pop("name", "" if person else "Sam Visitor"),
        "role": fields.pop("role", AdultRole.VISITOR),
        "reporter_relationship": fields.pop("reporter_relationship", "Colleague"),
        **fields,
    }


def about(person, *, by, **fields):
    """A concern about the adult `person` (a member of staff), reported by `by`
    at the first school `person` works at unless `school` is given."""
    fields.setdefault("about_adult", adult(person))
    if "school" not in fields and "children" not in fields:
        fields["school"] = person.memberships.first().school
    return concern(by=by, route=Concern.Route.HEAD, **fields)


def child_of(concern):
    """The one child a concern is about (a concern built with one child)."""
    return concern.involvements.get().pupil


def open_task(concern, step):
    """The open task of that step for the concern (step: the flow node's name)."""
    tasks = [
        task
        for task in CaseTask.objects.filter(concern=concern, status__in=OPEN)
        if task.flow_task.name == step
    ]
    assert len(tasks) == 1, [
        t.flow_task.name for t in CaseTask.objects.filter(concern=concern)
    ]
    return tasks[0]


def open_steps(concern):
    """The names of the concern's open human steps, sorted."""
    return sorted(
        task.flow_task.name
        for task in CaseTask.objects.filter(
            concern=concern, flow_task_type="HUMAN", status__in=OPEN
        )
    )


def claim(concern, step, user):
    """The user claims the concern's open task of that step; returns the task."""
    return services.task_claim(task=open_task(concern, step), user=user)


def triage(concern, user, risk="medium", *, category="bullying", **fields):
    """Claim and complete the triage: the category confirmed, the risk with its
    reason (risk_reason, tags, actions_needed, roles pass through)."""
    fields.setdefault("risk_reason", RISK_REASON)
    return services.triage_complete(
        task=claim(concern, "triage", user),
        user=user,
        primary_category=_term(Vocabulary.CATEGORY, category),
        risk_level=risk,
        **fields,
    )


def decide(concern, user, outcome="referral", agencies=("csc", "police"), **fields):
    """Claim and complete the decision; with "referral", one referral per agency
    (keys or Terms). A review four weeks on unless review_on is given."""
    fields.setdefault("rationale", RATIONALE)
    fields.setdefault("review_on", timezone.localdate() + timedelta(days=28))
    return services.decision_complete(
        task=claim(concern, "decide", user),
        user=user,
        outcome=outcome,
        agencies=[_term(Vocabulary.AGENCY, agency) for agency in agencies],
        **fields,
    )


def respond(concern, agency_key, user, *, complete=True, **fields):
    """Record on the follow-up of the referral to that agency, claiming it (or
    keeping it, if already the user's). complete=True: the referral made by phone
    today and the agency's answer (an assessment) today, which completes the
    follow-up. complete=False: only what `fields` say (the contact); it stays
    open. Returns the referral."""
    task = next(
        task
        for task in CaseTask.objects.filter(
            concern=concern, status__in=["NEW", "ASSIGNED"]
        )
        if task.referral and task.referral.agency.key == agency_key
    )
    services.task_claim(task=task, user=user)
    if complete:
        fields = {
            "contacted_on": timezone.localdate(),
            "method": Referral.Method.PHONE,
            "responded_on": timezone.localdate(),
            "agency_outcome": Referral.AgencyOutcome.ASSESSMENT,
            **fields,
        }
    return services.referral_save(task=task, user=user, complete=complete, **fields)


def close(concern, user, **fields):
    """Claim and complete the closure (needs_sign_off, review_on pass through)."""
    fields.setdefault("outcome_summary", OUTCOME_SUMMARY)
    fields.setdefault("rationale", RATIONALE)
    return services.closure_complete(
        task=claim(concern, "close", user), user=user, **fields
    )


# The child's file ---------------------------------------------------------------------


def file_note(pupil, user, **fields):
    """A note on the child's file through records.services.file_note_add: by
    default a meeting, now (kind, title, body, occurred_at, child_voice,
    attachments, concern… pass through)."""
    fields.setdefault("kind", FileNote.Kind.MEETING)
    fields.setdefault("title", "Meeting with mum")
    fields.setdefault("occurred_at", timezone.now())
    fields.setdefault("body", "Mum says things are better at home.")
    return file_note_add(pupil=pupil, user=user, **fields)


def key_person(pupil, user, **fields):
    """Someone working with the child, through records.services.key_person_add."""
    return key_person_add(pupil=pupil, user=user, **fields)


# Transfers ----------------------------------------------------------------------------


def transfer_out(pupil, user, starts_on=None, **fields):
    """The child is leaving: a transfer out started by the DSL `user`, to Far Hill
    Academy unless other_school_name says otherwise, from today unless starts_on."""
    fields.setdefault("other_school_name", "Far Hill Academy")
    return transfers.transfer_out_start(
        pupil=pupil, user=user, starts_on=starts_on or timezone.localdate(), **fields
    )


def transfer_task(transfer, step):
    """The transfer's one open human task of that step."""
    tasks = [
        task
        for task in CaseTask.objects.filter(
            transfer=transfer, flow_task_type="HUMAN", status__in=OPEN
        )
        if task.step == step
    ]
    assert len(tasks) == 1, [t.step for t in CaseTask.objects.filter(transfer=transfer)]
    return tasks[0]


def transfer_claim(transfer, step, user):
    """The user claims the transfer's open task of that step; returns the task."""
    return services.task_claim(task=transfer_task(transfer, step), user=user)


def transfer_send(transfer, user, delivery=Transfer.Delivery.LINK, **fields):
    """Claim the send step and send the file (no kinds left out unless `kinds`).
    Returns what transfers.transfer_send does: (transfer, passphrase, link token)."""
    fields.setdefault("kinds", [])
    return transfers.transfer_send(
        task=transfer_claim(transfer, "send_file", user),
        user=user,
        delivery=delivery,
        **fields,
    )


# The calendar -------------------------------------------------------------------------


def weekday_after(day):
    """The next weekday (no calendar is set up: school days are weekdays)."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


# Rows as they stand (no workflow) -----------------------------------------------------
# For figures worked out by hand (tests/reports): a concern, decision or referral
# written as a row with fixed dates and no process, as an imported or old record is.

ROW_RATIONALE = "Spoke to the class teacher and parent; no risk of harm found today."


def concern_row(
    *,
    school,
    by,
    category,
    on,
    at=None,
    where="playground",
    children=(),
    route=Concern.Route.DSL_TEAM,
    urgent=False,
):
    """A concern of `category` (a Term) that happened `on` (at `at`), `children`
    (pupil, role) pairs; no process is started."""
    location = term(Vocabulary.LOCATION, where)
    row = Concern.objects.create(
        school=school,
        submission_key=uuid.uuid4(),
        route=route,
        form_title="General concern",
        recorded_by=by,
        reported_by=by,
        occurred_on=on,
        occurred_at=at,
        location=location,
        location_name=location.name,
        what_happened="Synthetic: a worry noticed in class.",
        primary_category=category,
        primary_category_name=str(category),
        immediate_risk=urgent,
    )
    for child, role in children:
        ConcernPupil.objects.create(concern=row, pupil=child, role=role)
    return row


def decision_row(concern, outcome, by):
    return Decision.objects.create(
        concern=concern, outcome=outcome, rationale=ROW_RATIONALE, decided_by=by
    )


def referral_row(
    decision, agency_key, *, outcome="", due=date(2026, 9, 20), responded=None
):
    agency = term(Vocabulary.AGENCY, agency_key)
    return Referral.objects.create(
        concern=decision.concern,
        decision=decision,
        agency=agency,
        agency_name=agency.name,
        response_due=due,
        contacted_on=date(2026, 9, 9),
        responded_on=responded,
        agency_outcome=outcome,
    )


def flag_row(pupil, key, starts_on, ends_on=None):
    """A profile flag (a key of the list) from `starts_on`, until `ends_on`."""
    flag = term(Vocabulary.PROFILE_FLAG, key)
    return PupilFlag.objects.create(
        pupil=pupil,
        flag=flag,
        flag_name=flag.name,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def school_terms(school, *terms):
    """The school's calendar: (name, first day, last day) for each term."""
    return [
        SchoolTerm.objects.create(
            school=school, name=name, starts_on=starts_on, ends_on=ends_on
        )
        for name, starts_on, ends_on in terms
    ]
