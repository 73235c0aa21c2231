"""Every path through a concern's process, as the DSL team walks it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role
from records.models import Concern, Referral
from taxonomy.models import Vocabulary
from workflows import services
from workflows.models import CaseTask, Notification

from ..builders import (
    RATIONALE,
    claim,
    close,
    decide,
    open_steps,
    open_task,
    respond,
    term,
    triage,
    weekday_after,
)

TODAY = timezone.localdate


def test_a_submitted_concern_waits_for_triage_and_the_team_is_told(
    submit, dsl, deputy, make_member, django_capture_on_commit_callbacks
):
    make_member(Role.DSL, at=None)  # a colleague at the same school
    with django_capture_on_commit_callbacks(execute=True):
        concern = submit()
    assert open_steps(concern) == ["triage"]
    told = Notification.objects.filter(kind="new_concern")
    assert {n.user for n in told} >= {dsl, deputy}
    assert all(concern.reference in n.message for n in told)
    # Emails carry only a link: no child's name, nothing of what happened.
    assert mail.outbox
    for email in mail.outbox:
        assert "/admin/casework/team-queue/" in email.body
        assert concern.what_happened not in email.body
        assert concern.involvements.first().pupil.last_name not in email.body


def test_no_further_action_with_rationale_closes(submit, dsl):
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, outcome="nfa", agencies=(), review_on=None)
    assert open_steps(concern) == ["close"]
    close(concern, dsl)
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED
    assert open_steps(concern) == []
    assert concern.decisions.get().rationale == RATIONALE


@pytest.mark.parametrize("text", ["", "NFA", "nfa.", "See above", "No concerns. NFA."])
def test_no_decision_without_a_real_reason(submit, dsl, text):
    concern = submit()
    triage(concern, dsl)
    task = claim(concern, "decide", dsl)
    with pytest.raises(ValidationError) as refused:
        services.decision_complete(task=task, user=dsl, outcome="nfa", rationale=text)
    assert "rationale" in refused.value.message_dict
    assert open_steps(concern) == ["decide"]
    assert not concern.decisions.exists()


def test_too_short_a_reason_is_refused_with_what_is_needed(submit, dsl):
    concern = submit()
    triage(concern, dsl)
    task = claim(concern, "decide", dsl)
    with pytest.raises(ValidationError) as refused:
        services.decision_complete(
            task=task, user=dsl, outcome="nfa", rationale="Spoke to mum, fine."
        )
    assert "at least 6 words" in " ".join(refused.value.message_dict["rationale"])


@pytest.mark.parametrize("order", [("csc", "police"), ("police", "csc")])
def test_referral_to_two_agencies_completes_in_either_order(submit, dsl, order):
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl)
    assert open_steps(concern) == ["follow_up", "follow_up"]
    respond(concern, order[0], dsl)
    assert open_steps(concern) == ["follow_up"]
    respond(concern, order[1], dsl)
    assert open_steps(concern) == ["close"]
    assert all(r.is_complete for r in concern.referrals.all())


def test_childrens_social_care_must_answer_within_one_working_day(submit, dsl):
    from accounts.calendar import add_working_days

    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl)
    csc = concern.referrals.get(agency__key="csc")
    police = concern.referrals.get(agency__key="police")
    assert csc.response_due == add_working_days(concern.school, TODAY(), 1)
    assert police.response_due > csc.response_due
    assert CaseTask.objects.get(referral=csc).due_on == csc.response_due


def test_an_agencys_no_further_action_needs_their_reason(submit, dsl):
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, agencies=("police",))
    with pytest.raises(ValidationError) as refused:
        respond(concern, "police", dsl, agency_outcome=Referral.AgencyOutcome.NFA)
    assert "record their reason" in " ".join(
        refused.value.message_dict["agency_rationale"]
    )
    assert open_steps(concern) == ["follow_up"]
    respond(
        concern,
        "police",
        dsl,
        agency_outcome=Referral.AgencyOutcome.NFA,
        agency_rationale="Officer says no offence disclosed; they will log it and "
        "share with the neighbourhood team.",
    )
    assert open_steps(concern) == ["close"]


def test_contact_can_be_saved_while_waiting_for_the_response(submit, dsl):
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, agencies=("csc",))
    task = open_task(concern, "follow_up")
    services.task_claim(task=task, user=dsl)
    services.referral_save(
        task=task, user=dsl, contacted_on=TODAY(), method="portal", reference="MASH-1"
    )
    assert open_steps(concern) == ["follow_up"]
    assert concern.referrals.get().reference == "MASH-1"


def test_no_response_by_the_due_date_is_chased_then_escalated_to_the_head(
    submit, dsl, head
):
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, agencies=("csc",))
    task = open_task(concern, "follow_up")
    services.task_claim(task=task, user=dsl)
    services.referral_save(task=task, user=dsl, contacted_on=TODAY(), method="phone")
    referral = concern.referrals.get()
    day_after = weekday_after(referral.response_due)  # the next working day

    first = services.clock_sweep(today=day_after)
    assert first["reminded"] >= 1 and first["chased"] == 1
    chase = referral.chases.get()
    assert chase.assigned_to == dsl and "Chase" in chase.description
    assert CaseTask.objects.filter(action=chase, owner=dsl).exists()  # in My tasks
    assert Notification.objects.filter(user=dsl, kind="reminder").exists()
    assert not Notification.objects.filter(user=head, kind="escalation").exists()

    # The chase is due the next working day: the head is not told that day, but
    # on the working day after it, once.
    chase_due = weekday_after(day_after)
    assert (
        CaseTask.objects.get(action=chase, flow_task_type="HUMAN").due_on == chase_due
    )
    services.clock_sweep(today=chase_due)
    assert not Notification.objects.filter(user=head, kind="escalation").exists()
    services.clock_sweep(today=weekday_after(chase_due))
    services.clock_sweep(today=weekday_after(chase_due))
    escalations = Notification.objects.filter(user=head, kind="escalation")
    assert escalations.count() == 1
    assert concern.reference in escalations.get().message
    assert referral.chases.count() == 1


def test_immediate_risk_alerts_every_dsl_and_goes_top_of_the_queue(
    submit, dsl, deputy, head
):
    older = submit()
    urgent = submit(immediate_risk=True)
    alerted = {n.user for n in Notification.objects.filter(kind="urgent")}
    assert alerted == {dsl, deputy}  # the DSL team, not the head
    from workflows.selectors import team_queue

    queue = list(team_queue(dsl))
    assert [t.concern for t in queue] == [urgent, older]
    assert queue[0].due_on == TODAY()


def test_triage_at_immediate_risk_makes_the_concern_urgent(submit, dsl, deputy):
    concern = submit()
    triage(concern, dsl, risk="immediate")
    task = open_task(concern, "decide")
    assert task.urgent
    assert Notification.objects.filter(user=deputy, kind="urgent").exists()


def test_closure_with_sign_off_needs_a_second_dsl(submit, dsl, deputy):
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, outcome="monitor", agencies=())
    close(concern, dsl, needs_sign_off=True)
    concern.refresh_from_db()
    assert concern.status == Concern.Status.IN_PROGRESS
    sign_off = open_task(concern, "sign_off")
    with pytest.raises(services.TaskConflict):
        services.task_claim(task=sign_off, user=dsl)  # not the one who closed it
    services.task_claim(task=sign_off, user=deputy)
    services.sign_off_complete(task=sign_off, user=deputy, agree=True, note="Agree.")
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED
    assert concern.closures.get().signed_off_by == deputy


def test_the_review_date_reopens_the_concern_as_a_new_cycle(submit, dsl):
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, outcome="nfa", agencies=(), review_on=None)
    review_on = TODAY() + timedelta(days=30)
    close(concern, dsl, review_on=review_on)
    assert services.clock_sweep(today=review_on - timedelta(days=1))["reopened"] == 0
    assert services.clock_sweep(today=review_on)["reopened"] == 1
    concern.refresh_from_db()
    assert concern.status == Concern.Status.IN_PROGRESS
    task = open_task(concern, "decide")
    assert task.process.coerced.cycle == 2
    services.task_claim(task=task, user=dsl)
    services.decision_complete(task=task, user=dsl, outcome="nfa", rationale=RATIONALE)
    assert concern.decisions.filter(cycle=2).exists()
    assert services.clock_sweep(today=review_on + timedelta(days=1))["reopened"] == 0


def test_concerns_about_adults_go_to_the_head_not_the_dsls(submit, dsl, head):
    concern = submit(route=Concern.Route.HEAD)
    from workflows.selectors import team_queue

    assert [t.concern for t in team_queue(head)] == [concern]
    assert list(team_queue(dsl)) == []
    with pytest.raises(services.TaskConflict):
        services.task_claim(task=open_task(concern, "review_low_level"), user=dsl)


def test_an_action_is_a_task_for_the_named_person_only(submit, dsl, staff, deputy):
    concern = submit()
    action = services.action_create(
        concern=concern,
        description="Pastoral check-in with Ava on Friday",
        assigned_to=staff,
        due_on=TODAY() + timedelta(days=3),
        user=dsl,
    )
    task = CaseTask.objects.get(action=action, flow_task_type="HUMAN")
    assert task.owner == staff and task.due_on == action.due_on
    with pytest.raises(services.TaskConflict):
        services.action_complete(task=task, user=deputy, note="Done")
    services.action_complete(task=task, user=staff, note="Checked in; she is happier.")
    action.refresh_from_db()
    assert action.completed_note.startswith("Checked in")


def test_a_failure_starting_the_process_saves_no_concern(submit, school, monkeypatch):
    from workflows.flows import ConcernFlow

    def broken(**kwargs):
        raise RuntimeError("the engine is down")

    monkeypatch.setattr(ConcernFlow.start, "run", broken)
    with pytest.raises(RuntimeError):
        submit()
    assert not Concern.objects.exists()
    assert not CaseTask.objects.exists()


def test_claims_and_steps_are_in_the_audit_log(submit, dsl):
    from auditlog import get_logentry_model

    entries = get_logentry_model().objects
    concern = submit()
    triage(concern, dsl)
    task = open_task(concern, "decide")
    services.task_claim(task=task, user=dsl)
    claim_entry = entries.get_for_object(task).get()
    assert claim_entry.changes_dict["owner"] == ["", str(dsl)]
    assert entries.get_for_object(concern.triages.get()).filter(action=0).exists()


def test_the_schools_rule_can_require_sign_off_whatever_the_dsl_ticks(
    submit, dsl, deputy, verified_client
):
    concern = submit()
    client = verified_client(dsl)
    client.post(
        "/admin/casework/settings/", {"closure_sign_off": "always"}, follow=True
    )
    triage(concern, dsl)
    decide(concern, dsl, outcome="monitor", agencies=())
    task = claim(concern, "close", dsl)
    page = client.get(f"/admin/casework/tasks/{task.pk}/").content.decode()
    assert "require a second DSL to sign off" in page
    services.closure_complete(
        task=task,
        user=dsl,
        outcome_summary="Monitored for six weeks; no further incidents.",
        rationale=RATIONALE,
        needs_sign_off=False,
    )
    assert open_steps(concern) == ["sign_off"]


def test_high_risk_rule_requires_sign_off_only_for_risky_or_referred_cycles(
    submit, dsl, deputy, school
):
    from workflows.models import CaseworkSettings

    CaseworkSettings.objects.create(school=school, closure_sign_off="high_risk")
    calm, risky = submit(), submit()
    for concern, risk in ((calm, "low"), (risky, "high")):
        triage(concern, dsl, risk=risk)
        decide(concern, dsl, outcome="monitor", agencies=())
        close(concern, dsl)
    assert open_steps(calm) == []
    assert open_steps(risky) == ["sign_off"]


@pytest.mark.parametrize("role", [Role.DEPUTY_DSL, Role.HEAD, Role.STAFF])
def test_only_a_dsl_changes_the_casework_settings(
    make_member, verified_client, role, school
):
    from workflows.models import CaseworkSettings

    client = verified_client(make_member(role))
    response = client.post("/admin/casework/settings/", {"closure_sign_off": "always"})
    assert response.status_code in (302, 403)
    assert not CaseworkSettings.objects.filter(school=school).exists()


def test_a_referral_never_recorded_as_made_raises_a_task_to_make_it(submit, dsl):
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, agencies=("police",))
    referral = concern.referrals.get()
    services.clock_sweep(today=weekday_after(referral.response_due))
    assert referral.chases.get().description.startswith("Make the referral to Police")


def test_the_response_clock_starts_when_the_referral_is_made(submit, dsl):
    from accounts.calendar import add_working_days

    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, agencies=("csc",))
    task = services.task_claim(task=open_task(concern, "follow_up"), user=dsl)
    made = TODAY() + timedelta(days=3)
    services.referral_save(task=task, user=dsl, contacted_on=made, method="phone")
    expected = add_working_days(concern.school, made, 1)
    assert concern.referrals.get().response_due == expected
    assert CaseTask.objects.get(pk=task.pk).due_on == expected


def test_sign_off_is_refused_when_nobody_else_could_give_it(submit, dsl, school):
    from workflows.models import CaseworkSettings

    CaseworkSettings.objects.create(school=school, closure_sign_off="always")
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, outcome="monitor", agencies=())
    with pytest.raises(ValidationError) as refused:
        close(concern, dsl)
    assert "Nobody else in the team" in str(refused.value)
    assert open_steps(concern) == ["close"]


def test_a_second_dsl_can_send_a_closure_back_with_a_reason(submit, dsl, deputy):
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, outcome="monitor", agencies=())
    close(concern, dsl, needs_sign_off=True)
    sign_off = services.task_claim(task=open_task(concern, "sign_off"), user=deputy)
    with pytest.raises(ValidationError):
        services.sign_off_complete(task=sign_off, user=deputy, agree=False, note="no")
    services.sign_off_complete(
        task=sign_off,
        user=deputy,
        agree=False,
        note="The mother's account is not on file; add it before closing.",
    )
    back = open_task(concern, "close")
    assert back.owner == dsl  # back to the DSL who closed it
    concern.refresh_from_db()
    assert concern.status == Concern.Status.IN_PROGRESS
    assert concern.closures.get().sent_back_by == deputy
    services.closure_complete(
        task=back,
        user=dsl,
        outcome_summary="Mother's account added; monitoring ended.",
        rationale=RATIONALE,
        needs_sign_off=True,
    )
    again = services.task_claim(task=open_task(concern, "sign_off"), user=deputy)
    services.sign_off_complete(task=again, user=deputy, agree=True)
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED


def test_a_dsl_reopens_a_closed_concern_only_with_a_reason(submit, dsl):
    concern = submit()
    triage(concern, dsl)
    decide(concern, dsl, outcome="nfa", agencies=(), review_on=None)
    close(concern, dsl)
    concern.refresh_from_db()
    with pytest.raises(ValidationError):
        services.concern_reopen(concern=concern, user=dsl, reason="  ")
    services.concern_reopen(
        concern=concern, user=dsl, reason="New disclosure from the same child."
    )
    assert open_steps(concern) == ["decide"]
    assert concern.closures.get().reopen_reason.startswith("New disclosure")
    with pytest.raises(ValidationError):  # a second click
        services.concern_reopen(concern=concern, user=dsl, reason="again")


def test_a_dsl_who_loses_the_role_can_no_longer_work_what_they_held(
    submit, dsl, verified_client
):
    from accounts.models import Membership

    concern = submit()
    task = claim(concern, "triage", dsl)
    Membership.objects.filter(user=dsl, role=Role.DSL).delete()
    client = verified_client(dsl)
    assert client.get(f"/admin/casework/tasks/{task.pk}/").status_code == 404
    with pytest.raises(services.TaskConflict):
        services.triage_complete(
            task=task,
            user=dsl,
            primary_category=term(Vocabulary.CATEGORY, "bullying"),
            risk_level="low",
            risk_reason="A one-off; nothing else on file.",
        )


@pytest.mark.parametrize("raised_at", ["10:00", "23:45"])
def test_an_urgent_concern_left_unclaimed_reaches_the_head_within_hours(
    submit, dsl, head, raised_at
):
    concern = submit(immediate_risk=True)
    task = CaseTask.objects.get(concern=concern, flow_task_type="HUMAN")
    hour, minute = map(int, raised_at.split(":"))
    created = timezone.localtime(task.created).replace(hour=hour, minute=minute)
    CaseTask.objects.filter(pk=task.pk).update(created=created)
    soon = services.clock_sweep(now=created + timedelta(minutes=30))
    assert soon["reminded"] == 0  # not "late" because midnight passed
    later = services.clock_sweep(now=created + timedelta(minutes=70))
    assert later["reminded"] == 1 and later["escalated"] == 0
    services.clock_sweep(now=created + timedelta(minutes=100))
    assert not Notification.objects.filter(user=head, kind="escalation").exists()
    services.clock_sweep(now=created + timedelta(minutes=130))
    assert Notification.objects.filter(user=head, kind="escalation").count() == 1


def test_the_clock_goes_on_when_one_item_fails(submit, dsl, monkeypatch):
    first, second = submit(), submit()
    for concern in (first, second):
        CaseTask.objects.filter(concern=concern).update(due_on=TODAY())
    calls = []

    def flaky(task, today):
        calls.append(task.concern_id)
        if task.concern_id == first.pk:
            raise RuntimeError("mail server down")
        return False

    monkeypatch.setattr(services.clock, "_remind", flaky)
    counts = services.clock_sweep(today=weekday_after(TODAY()))
    assert counts["failed"] == 1 and counts["reminded"] == 1
    assert set(calls) == {first.pk, second.pk}
    reminded = CaseTask.objects.filter(reminded_on__isnull=False)
    assert [t.concern_id for t in reminded] == [second.pk]  # first is retried


def test_concerns_saved_before_the_workflow_get_a_process_once(submit):
    from io import StringIO

    from django.core.management import call_command

    concern = submit()
    CaseTask.objects.filter(concern=concern).delete()
    concern.processes.all().delete()
    out = StringIO()
    call_command("start_missing_processes", stdout=out)
    call_command("start_missing_processes", stdout=out)
    assert "for 1 concern(s)" in out.getvalue()
    assert open_steps(concern) == ["triage"]


def test_due_dates_follow_the_school_calendar_when_the_dsl_changes_it(
    submit, dsl, school
):
    from accounts.calendar import add_school_days
    from accounts.services import school_closure_day_add

    concern = submit()
    task = open_task(concern, "triage")
    due = task.due_on
    assert due == add_school_days(school, TODAY(), 1)
    school_closure_day_add(school=school, date=due, kind="inset", user=dsl)
    task.refresh_from_db()
    assert task.due_on > due
    assert task.due_on == add_school_days(school, TODAY(), 1)
