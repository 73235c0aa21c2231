"""Synthetic casework for the demo: a few Oakfield concerns at different steps, so a
DSL signing in to `make run` finds a queue to work. Idempotent: each concern has a
fixed submission key and is only walked forward when first made."""

import uuid
from datetime import datetime, time, timedelta

from django.utils import timezone
from viewflow.workflow.status import STATUS

from accounts.calendar import last_school_day
from records import services as record_services
from records.models import (
    Concern,
    DecisionOutcome,
    FileNote,
    InvolvementRole,
    KeyPerson,
    Pupil,
    PupilLink,
    Referral,
    RiskLevel,
    YearGroup,
)
from records.services import Involvement
from taxonomy.models import Term, Vocabulary
from workflows import services
from workflows.models import CaseTask
from workflows.transfers import transfer_out_start

NAMESPACE = uuid.UUID("5b0c8d1e-2f4a-4c7e-9a61-0d3e2c1b7a90")

# (key, category, location, what happened, child's voice, immediate risk, walk to)
CONCERNS = [
    (
        "urgent",
        "neglect",
        "school-gate",
        "Synthetic example. Left at the gate at 17:30 with no adult collecting; "
        "said there is no food at home and mum has not been back since yesterday.",
        "'Mum said she'd be back but she wasn't. I had crisps for tea.'",
        True,
        "submitted",
    ),
    (
        "decide",
        "bullying",
        "playground",
        "Synthetic example. Pushed off the climbing frame by an older pupil for the "
        "third time this week; graze on the left knee, first aid given.",
        "'He always does it when the dinner ladies aren't looking.'",
        False,
        "triaged",
    ),
    (
        "referral",
        "emotional-abuse",
        "classroom",
        "Synthetic example. Disclosed during circle time that dad shouts and locks "
        "them in their room when he has been drinking.",
        "'I stay really quiet so he forgets I'm there.'",
        False,
        "referred",
    ),
    (
        "closed",
        "online-safety",
        "online",
        "Synthetic example. Received messages from an unknown adult in a game chat "
        "asking for photos; did not reply and told the teacher.",
        "'I told Miss because it felt weird.'",
        False,
        "closed",
    ),
]

RATIONALE = (
    "Synthetic demo rationale: we spoke to the child and the class teacher, checked "
    "the file for earlier concerns and weighed the risk against the threshold "
    "document; this response is proportionate."
)


def _term(vocabulary, key):
    return Term.objects.get(vocabulary=vocabulary, key=key, school__isnull=True)


def casework_demo(*, school, staff, dsl):
    pupils = list(Pupil.objects.filter(school=school).order_by("pk")[:8])
    made = 0
    # The last school day (today, in term time): reports by term find them.
    happened_on = last_school_day(school, timezone.localdate())
    for index, row in enumerate(CONCERNS):
        key, category, location, what, voice, urgent, walk_to = row
        concern, created = services.concern_open(
            school=school,
            recorded_by=staff,
            submission_key=uuid.uuid5(NAMESPACE, f"{school.urn}-{key}"),
            involvements=[
                Involvement(pupil=pupils[index], role=InvolvementRole.SUBJECT)
            ],
            primary_category=_term(Vocabulary.CATEGORY, category),
            location=_term(Vocabulary.LOCATION, location),
            route=Concern.Route.DSL_TEAM,
            form_title="General concern",
            occurred_on=happened_on,
            what_happened=what,
            child_voice=voice,
            immediate_risk=urgent,
        )
        if created:
            _walk(concern, dsl, walk_to)
            made += 1
    return made


def _task(concern, step):
    for task in CaseTask.objects.filter(
        concern=concern,
        flow_task_type="HUMAN",
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
    ):
        if task.step == step:
            return services.task_claim(task=task, user=task.owner or _DSL[0])
    raise LookupError(step)


_DSL = []


def _walk(concern, dsl, walk_to):
    _DSL[:] = [dsl]
    if walk_to == "submitted":
        return
    services.triage_complete(
        task=_task(concern, "triage"),
        user=dsl,
        primary_category=concern.primary_category,
        risk_level=RiskLevel.MEDIUM,
        risk_reason="Synthetic: a repeated pattern that needs a decision today.",
    )
    if walk_to == "triaged":
        # Back to the queue, for the demo DSL to claim.
        services.task_release(task=_task(concern, "decide"), user=dsl)
        return
    nfa = walk_to == "closed"
    services.decision_complete(
        task=_task(concern, "decide"),
        user=dsl,
        outcome=DecisionOutcome.NFA if nfa else DecisionOutcome.REFERRAL,
        rationale=RATIONALE,
        review_on=None if nfa else timezone.localdate() + timedelta(days=28),
        agencies=[] if nfa else [_term(Vocabulary.AGENCY, "csc")],
    )
    if walk_to == "referred":
        services.referral_save(
            task=_task(concern, "follow_up"),
            user=dsl,
            contacted_on=timezone.localdate(),
            method=Referral.Method.PORTAL,
            reference="DEMO-MASH-0001",
        )
        return
    services.closure_complete(
        task=_task(concern, "close"),
        user=dsl,
        outcome_summary="Synthetic: online safety lesson; parents told; no further "
        "contact from the account.",
        rationale=RATIONALE,
    )


def file_demo(*, concern_key="referral", school, dsl):
    """Give the child of the demo referral a file with some history: a CIN plan, a
    social worker, a meeting and a call, and a link to a sibling's file."""
    concern = Concern.objects.filter(
        submission_key=uuid.uuid5(NAMESPACE, f"{school.urn}-{concern_key}")
    ).first()
    if concern is None:
        return
    pupil = concern.involvements.get().pupil
    if pupil.notes.exists():
        return  # the demo has run before
    today = timezone.localdate()
    record_services.pupil_flag_add(
        pupil=pupil,
        user=dsl,
        flag=_term(Vocabulary.PROFILE_FLAG, "cin"),
        starts_on=today - timedelta(days=120),
        note="Synthetic: CIN plan after a neglect assessment.",
    )
    record_services.key_person_add(
        pupil=pupil,
        user=dsl,
        role=KeyPerson.Role.SOCIAL_WORKER,
        name="Sam Example (synthetic)",
        organisation="Example County Council children's services",
        phone="01632 960000",
    )
    for days_ago, kind, title, body, voice in [
        (
            90,
            FileNote.Kind.MEETING,
            "CIN review meeting",
            "Synthetic: attendance improving; mum engaging with early help worker.",
            "'I like breakfast club.'",
        ),
        (
            30,
            FileNote.Kind.PHONE,
            "Call from the social worker",
            "Synthetic: home visit went well; next review in six weeks.",
            "",
        ),
    ]:
        record_services.file_note_add(
            pupil=pupil,
            user=dsl,
            kind=kind,
            title=title,
            occurred_at=timezone.make_aware(
                datetime.combine(today - timedelta(days=days_ago), time(10, 30))
            ),
            body=body,
            child_voice=voice,
        )
    sibling = (
        Pupil.objects.filter(school=school, last_name=pupil.last_name)
        .exclude(pk=pupil.pk)
        .first()
        or Pupil.objects.filter(school=school).exclude(pk=pupil.pk).last()
    )
    if sibling and not PupilLink.objects.filter(from_pupil=pupil).exists():
        record_services.pupil_link_add(
            pupil=pupil,
            user=dsl,
            other=sibling,
            kind=PupilLink.Kind.HOUSEHOLD,
            note="Synthetic: same household.",
        )


def transfer_demo(*, school, dsl):
    """A Year 6 child leaving for a secondary school next term: the transfer is
    waiting in the team queue for someone to send the file."""
    key = uuid.uuid5(NAMESPACE, f"{school.urn}-transfer-out")
    pupil = (
        Pupil.objects.filter(
            school=school, year_group=YearGroup.Y6, involvements__isnull=True
        )
        .order_by("upn")
        .last()
    )
    if pupil is None:
        return None
    return transfer_out_start(
        pupil=pupil,
        user=dsl,
        submission_key=key,
        starts_on=timezone.localdate() + timedelta(days=21),
        other_school_name="Far View Secondary School (demo)",
        other_contact="Alex Rivers (synthetic), DSL, 01632 960111",
    )
