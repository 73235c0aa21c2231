"""File audits: sampling, the checklist, findings, actions, history, who may audit."""

from datetime import timedelta

import pytest
from auditlog import get_logentry_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from records import file_audits
from records.models import Concern, FileAudit, FileAuditAction

from ..builders import child_of
from ..factories import PupilFactory

INDEX = "/admin/files/audits/"
MINE = "/admin/files/audit-actions/"
FINDING = (
    "A clear file: each decision gives its reasons, but the police outcome "
    "from March is missing and the child's own words are thin."
)
ALL_YES = dict.fromkeys(
    ("whole_story", "child_voice", "rationale", "outcomes"), ("yes", "")
)


def audit_url(audit, rest=""):
    return f"/admin/files/audits/{audit.pk}/{rest}"


def history_url(pupil):
    return f"/admin/files/{pupil.pk}/audits/"


@pytest.fixture
def concern(submit):
    return submit()


@pytest.fixture
def audit(concern, dsl):
    return file_audits.file_audit_start(pupil=child_of(concern), user=dsl)


def access_events(pupil):
    return list(
        get_logentry_model()
        .objects.get_for_object(pupil)
        .filter(action=get_logentry_model().Action.ACCESS)
        .values_list("additional_data__event", flat=True)
    )


# Sampling and starting ---------------------------------------------------------------


def test_a_sample_is_drawn_from_files_with_a_concern_and_not_twice(
    submit,
    school,
    other_school,
    dsl,
):
    with_concerns = {child_of(submit()) for _ in range(3)}
    PupilFactory(school=school)  # no concern: nothing to audit
    child_of(submit(route=Concern.Route.HEAD))  # only a concern about an adult
    child_of(submit(at=other_school))

    sample = file_audits.file_audit_sample_draw(school=school, user=dsl, size=2)
    first = {audit.pupil for audit in sample.audits.all()}
    assert len(first) == 2 and first <= with_concerns
    assert all(audit.auditor == dsl for audit in sample.audits.all())

    again = file_audits.file_audit_sample_draw(school=school, user=dsl, size=5)
    assert {audit.pupil for audit in again.audits.all()} == with_concerns - first
    with pytest.raises(ValidationError, match="No file with a concern is free"):
        file_audits.file_audit_sample_draw(school=school, user=dsl, size=1)


@pytest.mark.parametrize("size", [0, 51])
def test_a_sample_size_out_of_range_is_refused(school, dsl, size):
    with pytest.raises(ValidationError):
        file_audits.file_audit_sample_draw(school=school, user=dsl, size=size)


def test_the_dsl_draws_a_sample_on_the_page(submit, dsl, verified_client, school):
    for _ in range(2):
        submit()
    client = verified_client(dsl)
    page = client.get(INDEX).content.decode()
    assert "Draw a random sample" in page
    response = client.post(
        f"{INDEX}sample/", {"school": school.pk, "size": 5}, follow=True
    )
    assert "2 files drawn" in response.content.decode()
    assert FileAudit.objects.filter(completed_at__isnull=True).count() == 2


def test_a_chosen_file_has_one_open_audit_at_a_time(concern, dsl, deputy):
    pupil = child_of(concern)
    first = file_audits.file_audit_start(pupil=pupil, user=dsl)
    assert file_audits.file_audit_start(pupil=pupil, user=dsl) == first  # double click
    with pytest.raises(ValidationError, match="already auditing this file"):
        file_audits.file_audit_start(pupil=pupil, user=deputy)


def test_the_file_page_links_to_its_audits_and_the_history_starts_one(
    concern, dsl, verified_client
):
    pupil = child_of(concern)
    client = verified_client(dsl)
    assert (
        history_url(pupil) in client.get(f"/admin/files/{pupil.pk}/").content.decode()
    )
    page = client.get(history_url(pupil)).content.decode()
    assert "has not been audited yet" in page
    response = client.post(f"{INDEX}start/", {"pupil": pupil.pk})
    audit = FileAudit.objects.get(pupil=pupil)
    assert response.status_code == 302 and response.url == audit_url(audit)


# The checklist ------------------------------------------------------------------------


def test_an_audit_is_saved_as_it_goes_and_completed_with_every_answer(audit, dsl):
    file_audits.file_audit_save(
        audit=audit, user=dsl, answers={"whole_story": ("yes", "")}, finding=""
    )
    audit.refresh_from_db()
    assert audit.answer_for("whole_story")["answer"] == "yes"
    assert audit.answer_for("whole_story")["question"] == (
        "Does the file tell the whole story?"
    )
    with pytest.raises(ValidationError) as refused:
        file_audits.file_audit_save(
            audit=audit,
            user=dsl,
            answers={"whole_story": ("yes", "")},
            finding=FINDING,
            complete=True,
        )
    assert any("Is the child" in m for m in refused.value.message_dict["answers"])
    audit.refresh_from_db()
    assert audit.completed_at is None

    file_audits.file_audit_save(
        audit=audit,
        user=dsl,
        answers={**ALL_YES, "up_to_date": ("partly", "Review of C1 is a week late.")},
        finding=FINDING,
        complete=True,
    )
    audit.refresh_from_db()
    assert audit.is_complete and audit.finding == FINDING
    with pytest.raises(ValidationError, match="complete"):
        file_audits.file_audit_save(audit=audit, user=dsl, answers={}, finding="x")


@pytest.mark.parametrize("answer", ["no", "partly"])
def test_an_answer_short_of_yes_says_what_is_missing(audit, dsl, answer):
    with pytest.raises(ValidationError) as refused:
        file_audits.file_audit_save(
            audit=audit, user=dsl, answers={"child_voice": (answer, " ")}, finding=""
        )
    assert "say what is missing" in " ".join(refused.value.message_dict["answers"])


@pytest.mark.parametrize("finding", ["", "ok", "Fine.", "No concerns"])
def test_an_audit_is_not_completed_without_a_real_finding(audit, dsl, finding):
    with pytest.raises(ValidationError) as refused:
        file_audits.file_audit_save(
            audit=audit,
            user=dsl,
            answers={**ALL_YES, "up_to_date": ("yes", "")},
            finding=finding,
            complete=True,
        )
    assert "finding" in refused.value.message_dict


def test_only_the_auditor_answers_an_open_audit(audit, deputy, verified_client):
    with pytest.raises(PermissionDenied):
        file_audits.file_audit_save(audit=audit, user=deputy, answers={}, finding="")
    page = verified_client(deputy).get(audit_url(audit)).content.decode()
    assert "Complete the audit" not in page  # she reads it, cannot answer it


def test_the_auditor_completes_the_checklist_on_the_page(audit, dsl, verified_client):
    client = verified_client(dsl)
    data = {
        "whole_story_answer": "yes",
        "child_voice_answer": "no",
        "child_voice_comment": "",
        "rationale_answer": "yes",
        "outcomes_answer": "yes",
        "up_to_date_answer": "yes",
        "finding": FINDING,
        "complete": "1",
    }
    refused = client.post(audit_url(audit), data).content.decode()
    assert "say what is missing" in refused
    assert FINDING.replace("'", "&#x27;") in refused  # what was typed is kept
    data["child_voice_comment"] = "Nothing in the child's words since September."
    done = client.post(audit_url(audit), data, follow=True).content.decode()
    assert "Audit completed." in done
    assert "Nothing in the child&#x27;s words since September." in done
    audit.refresh_from_db()
    assert audit.is_complete
    history = client.get(history_url(audit.pupil)).content.decode()
    assert "completed" in history and "A clear file" in history


def test_the_audit_page_shows_what_the_records_show(submit, dsl, verified_client):
    concern = submit()
    Concern.objects.filter(pk=concern.pk).update(child_voice="")
    audit = file_audits.file_audit_start(pupil=child_of(concern), user=dsl)
    facts = file_audits.file_facts(audit.pupil)
    assert facts.concerns == 1
    assert facts.voice_missing == [concern.reference]
    assert facts.open_concerns == [concern.reference]
    page = verified_client(dsl).get(audit_url(audit)).content.decode()
    assert "What the records show" in page and concern.reference in page


# Actions ------------------------------------------------------------------------------


def test_an_action_goes_to_the_safeguarding_team_who_mark_it_done(
    audit, dsl, deputy, staff, make_member, verified_client
):
    due = timezone.localdate() + timedelta(days=7)
    client = verified_client(dsl)
    response = client.post(
        audit_url(audit, "actions/"),
        {
            "description": "Record the police outcome from March",
            "assigned_to": deputy.pk,
            "due_on": due.isoformat(),
        },
        follow=True,
    )
    assert "Action added" in response.content.decode()
    action = FileAuditAction.objects.get()
    assert "Record the police outcome" in client.get(audit_url(audit)).content.decode()

    # An action names a child's file: it is not given to staff outside the team.
    refused = client.post(
        audit_url(audit, "actions/"),
        {"description": "x", "assigned_to": staff.pk, "due_on": due.isoformat()},
    )
    assert FileAuditAction.objects.count() == 1, refused.status_code

    # The deputy sees the action and the child's name.
    staff_client = verified_client(deputy)
    mine = staff_client.get(MINE).content.decode()
    assert "Record the police outcome" in mine and audit.pupil.last_name in mine

    colleague = verified_client(make_member(Role.STAFF))
    done_url = f"{MINE}{action.pk}/done/"
    assert colleague.post(done_url, {"note": "x"}).status_code == 404
    verified_client(deputy).post(done_url, {"note": "Added the outcome to C12."})
    action.refresh_from_db()
    assert action.is_done and action.done_by == deputy
    with pytest.raises(ValidationError, match="already done"):
        file_audits.file_audit_action_done(action=action, user=dsl, note="again")


def test_an_action_is_refused_for_someone_elsewhere_or_in_the_past(
    audit, dsl, make_member, other_school
):
    elsewhere = make_member(Role.STAFF, at=other_school)
    fields = {"audit": audit, "user": dsl, "description": "Add the child's voice"}
    with pytest.raises(ValidationError) as refused:
        file_audits.file_audit_action_add(
            **fields,
            assigned_to=elsewhere,
            due_on=timezone.localdate() + timedelta(days=3),
        )
    assert "assigned_to" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        file_audits.file_audit_action_add(
            **fields, assigned_to=dsl, due_on=timezone.localdate() - timedelta(days=1)
        )
    assert "due_on" in refused.value.message_dict


def test_an_auditor_can_close_an_action_and_it_needs_a_note(audit, dsl, staff):
    action = file_audits.file_audit_action_add(
        audit=audit,
        user=dsl,
        description="Chase the social worker for the assessment outcome",
        assigned_to=staff,
        due_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError):
        file_audits.file_audit_action_done(action=action, user=dsl, note="  ")
    file_audits.file_audit_action_done(action=action, user=dsl, note="Outcome filed.")
    assert FileAuditAction.objects.get().done_by == dsl


# Who may audit ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STAFF, Role.CONFIGURATOR])
def test_staff_and_configurators_cannot_audit(
    audit, make_member, verified_client, role
):
    user = make_member(role)
    client = verified_client(user)
    assert client.get(INDEX).status_code in (302, 403)
    assert client.post(f"{INDEX}sample/", {"size": 2}).status_code in (302, 403)
    assert client.post(f"{INDEX}start/", {"pupil": audit.pupil_id}).status_code == 302
    assert FileAudit.objects.count() == 1
    assert client.get(audit_url(audit)).status_code == 404
    assert client.get(history_url(audit.pupil)).status_code == 404
    assert client.post(audit_url(audit), {"finding": "x"}).status_code == 404
    assert client.post(audit_url(audit, "actions/"), {}).status_code == 404
    with pytest.raises(PermissionDenied):
        file_audits.file_audit_start(pupil=audit.pupil, user=user)


def test_a_dsl_of_another_school_cannot_see_or_audit_the_file(
    audit, make_member, other_school, verified_client
):
    user = make_member(Role.DSL, at=other_school)
    client = verified_client(user)
    assert client.get(audit_url(audit)).status_code == 404
    assert client.get(history_url(audit.pupil)).status_code == 404
    assert audit.pupil.last_name not in client.get(INDEX).content.decode()
    with pytest.raises(PermissionDenied):
        file_audits.file_audit_start(pupil=audit.pupil, user=user)
    with pytest.raises(PermissionDenied):
        file_audits.file_audit_sample_draw(school=audit.pupil.school, user=user, size=1)


def test_a_deputy_audits_too(concern, deputy, verified_client):
    client = verified_client(deputy)
    client.post(f"{INDEX}start/", {"pupil": child_of(concern).pk})
    audit = FileAudit.objects.get()
    assert audit.auditor == deputy
    assert "Complete the audit" in client.get(audit_url(audit)).content.decode()


def test_a_head_audits_from_the_records_facts_without_reading_case_notes(
    concern,
    head,
    verified_client,
):
    client = verified_client(head)
    assert client.get(INDEX).status_code == 200
    client.post(f"{INDEX}start/", {"pupil": child_of(concern).pk})
    audit = FileAudit.objects.get(auditor=head)
    page = client.get(audit_url(audit)).content.decode()
    assert "Complete the audit" in page and concern.reference in page
    assert "pushed her off the climbing frame" not in page
    assert "data-open-file" not in page  # the file itself stays with the DSLs
    assert client.get(f"/admin/files/{audit.pupil_id}/").status_code == 404


def test_every_audit_view_of_a_file_is_in_the_access_log(audit, dsl, verified_client):
    client = verified_client(dsl)
    client.get(audit_url(audit))
    client.get(history_url(audit.pupil))
    events = access_events(audit.pupil)
    assert "file audit read" in events and "file audit history read" in events


def test_audits_and_actions_are_in_the_change_log(audit, dsl, staff):
    file_audits.file_audit_action_add(
        audit=audit,
        user=dsl,
        description="Add the missing outcome",
        assigned_to=staff,
        due_on=timezone.localdate(),
    )
    log = get_logentry_model().objects
    assert log.get_for_object(audit).filter(action=0).exists()
    assert log.get_for_object(FileAuditAction.objects.get()).exists()


def test_a_completed_audit_is_part_of_the_childs_chronology(audit, dsl):
    from records.chronology import chronology

    file_audits.file_audit_save(
        audit=audit,
        user=dsl,
        answers={**ALL_YES, "up_to_date": ("yes", "")},
        finding=FINDING,
        complete=True,
    )
    entries = chronology(audit.pupil, user=dsl)
    audits = [entry for entry in entries if entry.kind == "audit"]
    assert [entry.item for entry in audits] == [audit]
    assert audits[0].kind_label == "File audit"


def test_someone_given_an_audit_action_finds_it_in_the_menu(
    audit, dsl, make_member, verified_client
):
    from datetime import timedelta

    from django.utils import timezone

    teacher = make_member(Role.DEPUTY_DSL)
    file_audits.file_audit_action_add(
        audit=audit,
        user=dsl,
        description="Add the mother's account to the file",
        assigned_to=teacher,
        due_on=timezone.localdate() + timedelta(days=5),
    )
    page = verified_client(teacher).get("/admin/").content.decode()
    assert "My audit actions (1)" in page
