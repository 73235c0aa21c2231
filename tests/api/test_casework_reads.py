"""Casework reads through the API (scope "casework") and report figures (scope
"reports"): the web's rules for each role, cursor pages, filters, sorting, and an
audit entry for every read of a concern or a child's file."""

from datetime import timedelta

import pytest
from auditlog import get_logentry_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.models import Role
from api.models import Scope
from records.restrictions import restriction_set
from workflows.models import CaseTask

from ..builders import about, child_of, claim, concern, member, pupil

CASEWORK = Scope.CASEWORK
REASON = "Police investigation: only the DSL and the head may see this concern."


def reads(obj):
    entries = get_logentry_model()
    return entries.objects.filter(
        content_type=ContentType.objects.get_for_model(obj),
        object_pk=str(obj.pk),
        action=entries.Action.ACCESS,
        additional_data__via="api",
    )


@pytest.fixture
def head(make_member):
    return make_member(Role.HEAD)


@pytest.fixture
def case(school, staff):
    return concern(by=staff, children=[pupil(school)])


# -- deny by default -------------------------------------------------------------------


@pytest.mark.parametrize("scopes", [(Scope.SUBMIT,), (Scope.TASKS,), (Scope.REPORTS,)])
def test_a_token_without_the_casework_scope_reads_no_casework(
    as_user, dsl, case, scopes
):
    client = as_user(dsl, *scopes)
    for path in (
        "/casework/tasks",
        "/casework/concerns",
        f"/casework/concerns/{case.reference}",
        f"/casework/pupils/{child_of(case).pk}/chronology",
    ):
        assert client.get(path).status_code == 403, path
    assert not reads(case).exists()


def test_reports_need_the_reports_scope(as_user, dsl, case):
    assert as_user(dsl, CASEWORK).get("/reports").status_code == 403


# -- a concern and its steps -----------------------------------------------------------


def test_a_dsl_reads_a_concern_its_children_and_steps_and_it_is_audited(
    as_user, dsl, case
):
    answer = as_user(dsl, CASEWORK).get(f"/casework/concerns/{case.reference}")

    assert answer.status_code == 200
    body = answer.json()
    assert body["reference"] == case.reference
    assert body["what_happened"] == case.what_happened
    assert body["children"][0]["pupil"] == child_of(case).pk
    assert [step["status"] for step in body["steps"]] == ["open"]
    entry = reads(case).get()
    assert entry.actor == dsl
    assert entry.additional_data["event"] == "concern read"


def test_the_reference_is_the_schools_own(as_user, dsl, school, staff):
    school.reference_code = "OAK"
    school.save()
    first = concern(by=staff, children=[pupil(school)])
    answer = as_user(dsl, CASEWORK).get("/casework/concerns/oak-000001")
    assert answer.json()["reference"] == first.reference == "OAK-000001"


@pytest.mark.parametrize("role", [Role.STAFF, Role.CONFIGURATOR])
def test_staff_and_configurators_read_no_concern(as_user, make_member, case, role):
    client = as_user(make_member(role), CASEWORK)
    assert client.get(f"/casework/concerns/{case.reference}").status_code == 404
    assert client.get("/casework/concerns").json()["items"] == []
    assert not reads(case).exists()


def test_another_schools_dsl_reads_nothing_here(
    as_user, make_member, other_school, case
):
    elsewhere = as_user(make_member(Role.DSL, at=other_school), CASEWORK)
    assert elsewhere.get(f"/casework/concerns/{case.reference}").status_code == 404
    assert elsewhere.get("/casework/tasks").json()["items"] == []
    chronology = f"/casework/pupils/{child_of(case).pk}/chronology"
    assert elsewhere.get(chronology).status_code == 404


def test_a_restricted_concern_is_kept_from_a_dsl_not_named(
    as_user, dsl, make_member, case
):
    deputy = make_member(Role.DEPUTY_DSL)
    restriction_set(obj=case, user=dsl, reason=REASON, people=[dsl])

    kept_out = as_user(deputy, CASEWORK)
    assert kept_out.get(f"/casework/concerns/{case.reference}").status_code == 404
    assert kept_out.get("/casework/tasks?status=any").json()["items"] == []
    assert kept_out.get("/casework/concerns").json()["items"] == []
    named = as_user(dsl, CASEWORK).get(f"/casework/concerns/{case.reference}")
    assert named.status_code == 200


def test_a_concern_about_an_adult_is_never_shown_to_the_adult_it_names(
    as_user, school, staff, head
):
    named_dsl = member(school, Role.DSL)
    adult_case = about(named_dsl, by=staff)

    named = as_user(named_dsl, CASEWORK)
    assert named.get(f"/casework/concerns/{adult_case.reference}").status_code == 404
    assert named.get("/casework/concerns").json()["items"] == []
    assert named.get("/casework/tasks?status=any").json()["items"] == []
    # Its case manager (the head) reads it.
    manager = as_user(head, CASEWORK)
    answer = manager.get(f"/casework/concerns/{adult_case.reference}")
    assert answer.status_code == 200
    assert [t["reference"] for t in manager.get("/casework/tasks").json()["items"]] == [
        adult_case.reference
    ]


# -- task lists ------------------------------------------------------------------------


def test_tasks_filter_sort_and_page_with_a_cursor(as_user, dsl, school, staff):
    cases = [concern(by=staff, children=[pupil(school)]) for _ in range(5)]
    claim(cases[0], "triage", dsl)
    CaseTask.objects.filter(concern=cases[1]).update(
        due_on=timezone.localdate() - timedelta(days=7)
    )
    client = as_user(dsl, CASEWORK)

    first = client.get("/casework/tasks", {"limit": 2, "sort": "created"}).json()
    second = client.get(
        "/casework/tasks",
        {"limit": 2, "sort": "created", "cursor": first["next_cursor"]},
    ).json()
    third = client.get(
        "/casework/tasks",
        {"limit": 2, "sort": "created", "cursor": second["next_cursor"]},
    ).json()
    listed = [t["reference"] for t in first["items"] + second["items"] + third["items"]]
    assert listed == [case.reference for case in cases]
    assert third["next_cursor"] is None

    mine = client.get("/casework/tasks", {"mine": "true"}).json()["items"]
    assert [t["reference"] for t in mine] == [cases[0].reference]
    assert mine[0]["assigned_to_me"] is True
    late = client.get("/casework/tasks", {"overdue": "true"}).json()["items"]
    assert [t["reference"] for t in late] == [cases[1].reference]
    newest = client.get("/casework/tasks", {"sort": "-created"}).json()["items"]
    assert newest[0]["reference"] == cases[-1].reference
    triage = client.get("/casework/tasks", {"step": "triage"}).json()["items"]
    assert len(triage) == 5
    assert client.get("/casework/tasks", {"step": "decide"}).json()["items"] == []
    assert client.get("/casework/tasks", {"status": "done"}).json()["items"] == []


def test_a_forged_cursor_is_refused(as_user, dsl, case):
    answer = as_user(dsl, CASEWORK).get("/casework/tasks", {"cursor": "abc:def"})
    assert answer.status_code == 422
    assert "cursor" in answer.json()["errors"]


def test_task_lists_hold_no_case_content(as_user, dsl, case):
    text = as_user(dsl, CASEWORK).get("/casework/tasks").content.decode()
    assert case.reference in text
    assert case.what_happened not in text
    assert not reads(case).exists()  # a list of references is not a read


# -- a child's chronology --------------------------------------------------------------


def test_a_dsl_reads_a_childs_chronology_and_it_is_audited(as_user, dsl, case):
    child = child_of(case)
    answer = as_user(dsl, CASEWORK).get(f"/casework/pupils/{child.pk}/chronology")

    assert answer.status_code == 200
    entries = answer.json()["items"]
    assert [(e["kind"], e["concern"]) for e in entries] == [("concern", case.reference)]
    assert entries[0]["text"] == case.what_happened
    assert reads(child).get().additional_data["event"] == "file read"


def test_staff_read_no_chronology(as_user, staff, case):
    chronology = f"/casework/pupils/{child_of(case).pk}/chronology"
    assert as_user(staff, CASEWORK).get(chronology).status_code == 404
    assert not reads(child_of(case)).exists()


# -- reports ---------------------------------------------------------------------------


def test_report_figures_suppress_small_numbers(as_user, head, school, staff):
    for _ in range(3):
        concern(by=staff, children=[pupil(school)])
    answer = as_user(head, Scope.REPORTS).get("/reports")

    assert answer.status_code == 200
    body = answer.json()
    totals = next(s for s in body["sections"] if s["key"] == "totals")
    assert totals["rows"][0]["current"] == "fewer than 5"
    assert body["suppressed_below"] == 5
    assert "Ava said" not in answer.content.decode()


@pytest.mark.parametrize("role", [Role.STAFF, Role.CONFIGURATOR])
def test_staff_get_no_report_figures(as_user, make_member, role):
    assert as_user(make_member(role), Scope.REPORTS).get("/reports").status_code == 403


def test_report_filters_are_checked(as_user, head, other_school):
    client = as_user(head, Scope.REPORTS)
    assert client.get("/reports", {"from": "yesterday"}).status_code == 422
    assert client.get("/reports", {"school": other_school.pk}).status_code == 422
