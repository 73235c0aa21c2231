"""Low-level concerns about adults: recorded, reviewed by the case manager, checked
for a pattern about the same adult; and what a child's file shows of them."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role
from records import retention
from records.models import AdultConcernKind, Concern, ConcernAboutAdult, Pupil
from workflows import services
from workflows.adults import services as adult_services
from workflows.adults.models import AdultCase, AdultPatternReview, LowLevelReview
from workflows.models import Notification

from .. import builders
from ..builders import open_steps, open_task
from .adults_helpers import claim, report_about_adult

LOW = AdultConcernKind.LOW_LEVEL
DECIDED = (
    "Spoke to him about phone use in class against the code of conduct; he "
    "accepted it and will keep his phone in the staff room."
)
FILE_URL = "/admin/files/{}/"


def low_level(by, **fields):
    return report_about_adult(by, kind=LOW, **fields)


def review(concern, head, decision="spoken_to", what_decided=DECIDED):
    task = claim(concern, "review_low_level", head)
    return adult_services.low_level_review_complete(
        task=task, user=head, decision=decision, what_decided=what_decided
    )


def days_ago(concern, days):
    Concern.objects.filter(pk=concern.pk).update(
        submitted_at=timezone.now() - timedelta(days=days)
    )


@pytest.fixture
def teacher(make_member):
    return make_member(Role.STAFF, first_name="Tom", last_name="Teacher")


# Review ------------------------------------------------------------------------------


def test_a_low_level_concern_is_reviewed_by_the_head_and_closed(staff, head, dsl):
    concern = low_level(staff)
    assert AdultCase.objects.get(concern=concern).kind == LOW
    assert open_steps(concern) == ["review_low_level"]
    task = open_task(concern, "review_low_level")
    assert task.flow_task.can_assign(head, task)
    assert not task.flow_task.can_assign(dsl, task)
    with pytest.raises(ValidationError) as bare:
        review(concern, head, what_decided="No action")
    assert "what_decided" in bare.value.message_dict
    done = review(concern, head)
    assert done.recorded_by == head
    assert Concern.objects.get(pk=concern.pk).status == Concern.Status.CLOSED
    assert open_steps(concern) == []


def test_a_low_level_concern_that_meets_the_threshold_becomes_an_allegation(
    staff, head
):
    concern = low_level(staff)
    review(
        concern,
        head,
        decision=LowLevelReview.Decision.ALLEGATION,
        what_decided="On reading the account again the contact may have harmed "
        "the child: this meets the harm threshold.",
    )
    assert open_steps(concern) == ["refer_lado"]
    assert AdultCase.objects.get(concern=concern).is_allegation
    assert ConcernAboutAdult.objects.get(concern=concern).kind == "allegation"
    assert Concern.objects.get(pk=concern.pk).status == Concern.Status.IN_PROGRESS


# Patterns ----------------------------------------------------------------------------


def test_three_low_level_concerns_about_one_adult_raise_a_review(staff, head, teacher):
    first = low_level(staff, person=teacher)
    days_ago(first, 200)
    second = low_level(staff, person=teacher)
    low_level(staff, name="Somebody Else")
    assert not AdultPatternReview.objects.exists()
    third = low_level(staff, person=teacher)
    raised = AdultPatternReview.objects.get()
    assert set(raised.concerns.all()) == {first, second, third}
    task = open_task(third, "review_adult_pattern")
    assert Notification.objects.filter(task=task, user=head).exists()
    # A fourth grows the open review rather than raising another.
    fourth = low_level(staff, person=teacher)
    assert AdultPatternReview.objects.count() == 1
    assert fourth in raised.concerns.all()
    with pytest.raises(ValidationError):
        adult_services.adult_pattern_review_complete(
            task=services.task_claim(task=task, user=head), user=head, conclusion="ok"
        )
    adult_services.adult_pattern_review_complete(
        task=task,
        user=head,
        conclusion="Four concerns in a year about phone use and sarcasm: formal "
        "code-of-conduct meeting, and we ask the LADO for advice.",
    )
    assert AdultPatternReview.objects.get().reviewed_by == head


def test_the_same_name_typed_differently_counts_and_old_ones_do_not(staff, head):
    old = low_level(staff, name="Sam Visitor")
    days_ago(old, 400)
    low_level(staff, name="sam visitor")
    low_level(staff, name="SAM VISITOR")
    assert not AdultPatternReview.objects.exists()
    low_level(staff, name="Sam Visitor")
    assert AdultPatternReview.objects.get().concerns.count() == 3


def test_the_threshold_is_a_school_setting(staff, head, school):
    adult_services.adult_case_settings_save(
        school_id=school.pk,
        pattern_min_concerns=2,
        pattern_within_days=90,
        normal_pension_age=67,
    )
    low_level(staff, name="Sam Visitor")
    low_level(staff, name="Sam Visitor")
    assert AdultPatternReview.objects.count() == 1


def test_the_adult_a_pattern_names_cannot_take_its_review(staff, head, make_member):
    other_head = make_member(Role.DSL)
    for _ in range(3):
        latest = low_level(staff, person=other_head)
    task = open_task(latest, "review_adult_pattern")
    assert task.flow_task.can_assign(head, task)
    assert not task.flow_task.can_assign(other_head, task)


# The child's file ---------------------------------------------------------------------


def test_the_childs_file_says_only_that_a_concern_about_an_adult_exists(
    staff, head, dsl, make_member, school, verified_client
):
    child = builders.pupil(school)
    named_deputy = make_member(Role.DEPUTY_DSL)
    report_about_adult(staff, children=[child], person=named_deputy)
    dsl_and_head = builders.member(school, Role.DSL, Role.HEAD)
    notice = "A concern about an adult involves this child"
    for user, shown, link in (
        (dsl, True, False),
        (dsl_and_head, True, True),
        (named_deputy, False, False),
    ):
        page = verified_client(user).get(FILE_URL.format(child.pk))
        body = page.content.decode()
        assert (notice in body) is shown, user
        assert ("/admin/casework/adults/" in body) is link, user
        assert "grabbed a child" not in body


def test_destroying_a_childs_file_keeps_the_concern_about_an_adult(
    staff, head, dsl, school
):
    child = builders.pupil(school)
    concern = report_about_adult(staff, children=[child])
    Pupil.objects.filter(pk=child.pk).update(
        date_of_birth=date(2000, 1, 1), date_left=date(2018, 7, 20)
    )
    child.refresh_from_db()
    retention.file_destroy(
        pupil=child, user=dsl, reason="Retention period over.", confirm_upn=child.upn
    )
    assert not Pupil.objects.filter(pk=child.pk).exists()
    assert Concern.objects.filter(pk=concern.pk).exists()
    assert AdultCase.objects.filter(concern=concern).exists()


# The case manager's pages -------------------------------------------------------------


def test_only_the_case_manager_opens_the_cases_and_never_one_naming_them(
    staff, head, dsl, make_member, verified_client
):
    named_head = make_member(Role.DSL, first_name="Hana", last_name="Dsl")
    concern = report_about_adult(staff, person=named_head)
    case = AdultCase.objects.get(concern=concern)
    own = verified_client(head).get("/admin/casework/adults/")
    assert concern.reference in own.content.decode()
    assert (
        verified_client(head).get(f"/admin/casework/adults/{case.pk}/").status_code
        == 200
    )
    named = verified_client(named_head)
    assert (
        concern.reference not in named.get("/admin/casework/adults/").content.decode()
    )
    assert named.get(f"/admin/casework/adults/{case.pk}/").status_code == 404
    refused = verified_client(dsl).get("/admin/casework/adults/")
    assert refused.status_code in (302, 403)
    assert concern.reference not in refused.content.decode()


# A closed concern about an adult is not reopened -------------------------------------


def test_a_closed_concern_about_an_adult_offers_no_reopen_to_anyone(
    staff, head, dsl, make_member, verified_client
):
    """Reopening is the children's process (a new DSL decision): on a concern
    about an adult it would put the case in the DSL team's queue."""
    concern = low_level(staff)
    review(concern, head)
    processes = concern.processes.count()
    page = verified_client(head).get(f"/admin/casework/concerns/{concern.pk}/")
    body = page.content.decode()
    assert "data-reopen" not in body and "data-adult-closed" in body
    for user in (head, dsl, make_member(Role.DEPUTY_DSL), staff):
        response = verified_client(user).post(
            f"/admin/casework/concerns/{concern.pk}/reopen/",
            {"reason": "Something new came to light about this."},
        )
        assert response.status_code in (302, 404), user
    assert Concern.objects.get(pk=concern.pk).status == Concern.Status.CLOSED
    assert concern.processes.count() == processes
    with pytest.raises(ValidationError):
        services.concern_reopen(concern=concern, reason="A new thing.", user=head)
    assert not Notification.objects.filter(user=dsl).exists()
