"""`manage.py generate_trust` at a tiny size: the trust it builds is consistent —
what the casework pages, the workflow engine and the audit chain expect — so the
benchmark's data cannot quietly rot as the models change.

The trust is generated once (it takes a while on SQLite) and checked in one test;
each check is its own function, named for what it guards."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F
from django.test import override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from viewflow.workflow.status import PROCESS, STATUS

from accounts.models import School, User
from audit import chain
from audit.models import ChainedLogEntry
from records.models import Closure, Concern, ConcernPupil, Decision, Referral, Triage
from workflows.models import OPEN, CaseProcess, CaseTask

from ..factories import SchoolFactory

SCHOOLS, CONCERNS = 2, 200


def generate():
    out = StringIO()
    call_command(
        "generate_trust",
        "--schools",
        str(SCHOOLS),
        "--concerns",
        str(CONCERNS),
        stdout=out,
    )
    return out.getvalue()


@pytest.mark.django_db
def test_a_tiny_trust_is_consistent_and_its_queue_shows_open_work(client):
    out = generate()
    says_what_it_made(out)
    every_concern_names_a_child_at_its_school()
    processes_match_each_concerns_status()
    tasks_are_in_every_state_and_linked()
    steps_are_recorded_once_per_cycle()
    the_audit_chain_verifies()
    the_dsl_team_queue_lists_an_unclaimed_task(client)


def says_what_it_made(out):
    assert "Generated" in out
    assert [line.split()[-1] for line in out.splitlines() if "concerns" in line][-1]
    assert School.objects.count() == SCHOOLS
    assert Concern.objects.count() == CONCERNS
    emails = User.objects.values_list("email", flat=True)
    assert all(email.endswith(".invalid") for email in emails)


def every_concern_names_a_child_at_its_school():
    subjects = ConcernPupil.objects.filter(role="subject")
    assert subjects.values("concern").distinct().count() == CONCERNS
    assert not ConcernPupil.objects.exclude(pupil__school=F("concern__school")).exists()


def processes_match_each_concerns_status():
    statuses = Counter(Concern.objects.values_list("status", flat=True))
    assert statuses[Concern.Status.CLOSED] and statuses[Concern.Status.IN_PROGRESS]
    concerns = Concern.objects.prefetch_related("processes", "tasks")
    for concern in concerns:
        cycles = [p for p in concern.processes.all() if p.action_id is None]
        cycles.sort(key=lambda p: p.cycle)
        assert [p.cycle for p in cycles] == list(range(1, len(cycles) + 1))
        open_steps = [
            task.step
            for task in concern.tasks.all()
            if task.flow_task_type == "HUMAN"
            and task.status in OPEN
            and task.action_id is None
        ]
        if concern.status == Concern.Status.CLOSED:
            assert all(p.status == PROCESS.DONE for p in cycles), concern
            assert not open_steps, concern
        else:
            assert cycles[-1].status == PROCESS.NEW, concern
            assert open_steps, concern
        if concern.status == Concern.Status.RECEIVED:
            assert open_steps == ["triage"]
            assert not concern.triages.exists()


def tasks_are_in_every_state_and_linked():
    human = CaseTask.objects.filter(flow_task_type="HUMAN")
    states = Counter(human.values_list("status", flat=True))
    assert states[STATUS.DONE] and states[STATUS.NEW] and states[STATUS.ASSIGNED]
    assert not human.filter(status=STATUS.ASSIGNED, owner__isnull=True).exists()
    assert not human.filter(status=STATUS.NEW, owner__isnull=False).exists()
    # One start per process; every other task names the one before it.
    starts = CaseTask.objects.filter(flow_task_type="START")
    assert starts.count() == CaseProcess.objects.count()
    later = CaseTask.objects.exclude(flow_task_type="START")
    assert not later.filter(previous__isnull=True).exists()
    # Each referral has one follow-up, of its own concern, naming it.
    follow_ups = CaseTask.objects.filter(referral__isnull=False)
    assert follow_ups.count() == Referral.objects.count()
    for task in follow_ups.select_related("referral"):
        assert task.referral.concern_id == task.concern_id
        assert task.data == {"referral": task.referral_id}


def steps_are_recorded_once_per_cycle():
    for model in (Triage, Decision, Closure):
        per_cycle = model.objects.values("concern", "cycle").annotate(n=Count("pk"))
        assert not per_cycle.filter(n__gt=1).exists(), model
    closed = Concern.objects.filter(status=Concern.Status.CLOSED)
    assert not closed.filter(closures__isnull=True).exists()


def the_audit_chain_verifies():
    report = chain.walk(ChainedLogEntry)
    assert report.problems == []
    assert report.count > CONCERNS


def the_dsl_team_queue_lists_an_unclaimed_task(client):
    dsl = User.objects.get(username="s01.dsl")
    waiting = (
        CaseTask.objects.filter(
            school__memberships__user=dsl,
            flow_task_type="HUMAN",
            flow_task__endswith=".triage",
            status=STATUS.NEW,
            team="dsl_team",
            concern__isnull=False,
        )
        .order_by("-pk")
        .first()
    )
    assert waiting is not None
    device = TOTPDevice.objects.create(user=dsl, name="Authenticator app")
    client.force_login(dsl)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    with override_settings(ALLOWED_HOSTS=["*"]):
        page = client.get("/admin/casework/team-queue/")
    assert page.status_code == 200
    # A tiny trust has fewer open tasks than a page holds: this one is listed.
    assert waiting.concern.reference in page.content.decode()


@pytest.mark.django_db
def test_it_refuses_a_database_that_already_has_schools():
    SchoolFactory()
    with pytest.raises(CommandError, match="already holds"):
        generate()
    assert Concern.objects.count() == 0


@pytest.mark.django_db
@override_settings(CHRONICLE_ALLOW_DEMO_DATA=False)
def test_it_refuses_production_settings():
    with pytest.raises(CommandError, match="production"):
        generate()
    assert not School.objects.exists()
