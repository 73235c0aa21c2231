"""Pattern alerts: the DSL's thresholds, the review they raise, who may work it."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from viewflow.workflow.fields import get_flow_ref, get_task_ref, import_flow_by_ref

from accounts.models import Role
from records.models import Concern
from taxonomy.models import Vocabulary
from workflows import patterns, services
from workflows.models import Notification, PatternReview, PatternRule

from .. import builders
from ..builders import open_steps, open_task, term
from ..factories import PupilFactory

TASK_URL = "/admin/casework/tasks/{}/"
SETTINGS = "/admin/casework/settings/"
CONCLUSION = (
    "Three bullying incidents in a month, all at lunchtime with the same group; "
    "Ava is withdrawn in class. We will meet her parents and start an early help "
    "assessment."
)


def report(pupil, by, *, category="bullying", route=Concern.Route.DSL_TEAM):
    return builders.concern(
        by=by,
        children=[pupil],
        category=category,
        route=route,
        what_happened="Ava was pushed over again at lunch by the same group.",
        child_voice="'They wait for me by the benches.'",
    )


def days_ago(concern, days):
    Concern.objects.filter(pk=concern.pk).update(
        submitted_at=timezone.now() - timedelta(days=days)
    )


@pytest.fixture
def child(school):
    return PupilFactory(school=school)


@pytest.fixture
def rule(school, dsl):
    def make(n=3, days=30, category=None):
        return services.pattern_rule_add(
            school=school,
            user=dsl,
            min_concerns=n,
            within_days=days,
            category=term(Vocabulary.CATEGORY, category) if category else None,
        )

    return make


def review_task(concern):
    return open_task(concern, "review_pattern")


# When a pattern is raised -------------------------------------------------------------


def test_a_pattern_is_raised_at_the_threshold_and_not_below(
    child, staff, dsl, deputy, rule
):
    threshold = rule(n=3, days=30)
    first, second = report(child, staff), report(child, staff)
    assert not PatternReview.objects.exists()
    assert "review_pattern" not in open_steps(second)

    third = report(child, staff)
    review = PatternReview.objects.get()
    assert review.pupil == child and review.rule == threshold
    assert set(review.concerns.all()) == {first, second, third}
    assert open_steps(third) == ["review_pattern", "triage"]
    task = review_task(third)
    assert task.team == "dsl_team" and task.owner is None and task.due_on
    told = Notification.objects.filter(task=task)
    assert {note.user for note in told} == {dsl, deputy}
    assert all(child.last_name not in note.message for note in told)
    assert third.reference in told.first().message


def test_concerns_outside_the_window_do_not_count(child, staff, rule):
    rule(n=2, days=7)
    old = report(child, staff)
    days_ago(old, 8)
    recent = report(child, staff)
    assert not PatternReview.objects.exists()
    latest = report(child, staff)
    assert set(PatternReview.objects.get().concerns.all()) == {recent, latest}


def test_a_category_rule_counts_its_sub_categories_and_nothing_else(
    child, staff, dsl, rule
):
    rule(n=2, days=30, category="neglect")
    child_on_child = rule(n=2, days=30, category="child-on-child")
    report(child, staff, category="neglect")
    bullying = report(child, staff, category="bullying")  # under child-on-child
    assert not PatternReview.objects.exists()  # one of each is no pattern

    harassment = report(child, staff, category="sexual-harassment")
    review = PatternReview.objects.get()
    assert review.rule == child_on_child
    assert set(review.concerns.all()) == {bullying, harassment}


def test_the_dsls_triage_category_counts_as_much_as_the_reporters(
    child, staff, dsl, rule
):
    rule(n=2, days=30, category="child-on-child")
    reported_as_neglect = report(child, staff, category="neglect")
    builders.triage(
        reported_as_neglect,
        dsl,
        risk_reason="Repeated physical bullying at lunchtime by one group.",
    )
    report(child, staff, category="bullying")
    assert reported_as_neglect in PatternReview.objects.get().concerns.all()


def test_a_concern_of_another_category_does_not_raise_the_pattern_again(
    child, staff, dsl, rule
):
    rule(n=2, days=30, category="child-on-child")
    report(child, staff)
    raised = report(child, staff)
    services.pattern_review_complete(
        task=services.task_claim(task=review_task(raised), user=dsl),
        user=dsl,
        conclusion=CONCLUSION,
    )
    report(child, staff, category="neglect")
    assert PatternReview.objects.count() == 1


def test_no_second_open_review_for_the_same_child_and_rule(child, staff, dsl, rule):
    rule(n=2, days=30)
    report(child, staff)
    raised = report(child, staff)
    later = report(child, staff)
    assert PatternReview.objects.count() == 1
    assert "review_pattern" not in open_steps(later)
    # ...but the open review now links the later concern too.
    assert later in PatternReview.objects.get().concerns.all()

    # Once reviewed, a further concern in the window is a pattern that continues.
    services.pattern_review_complete(
        task=services.task_claim(task=review_task(raised), user=dsl),
        user=dsl,
        conclusion=CONCLUSION,
    )
    again = report(child, staff)
    assert PatternReview.objects.count() == 2
    assert PatternReview.objects.filter(reviewed_at__isnull=True).get().concerns.count()
    assert "review_pattern" in open_steps(again)


def test_other_children_adult_concerns_and_switched_off_rules_do_not_count(
    child, school, staff, dsl, rule
):
    threshold = rule(n=2, days=30)
    report(child, staff)
    report(PupilFactory(school=school), staff)
    report(child, staff, route=Concern.Route.HEAD)  # about an adult: the head's
    assert not PatternReview.objects.exists()
    threshold.is_active = False
    threshold.save()
    report(child, staff)
    assert not PatternReview.objects.exists()


def test_raising_a_pattern_is_part_of_the_submission(child, staff, rule, monkeypatch):
    rule(n=2, days=30)
    first = report(child, staff)

    def broken(**kwargs):
        raise RuntimeError("engine down")

    monkeypatch.setattr(patterns.PatternFlow.start, "run", broken)
    with pytest.raises(RuntimeError):
        report(child, staff)
    assert list(Concern.objects.all()) == [first]  # nothing half-saved
    assert not PatternReview.objects.exists()


def test_the_flow_keeps_the_path_viewflow_stored():
    """Process and task rows name the flow by the path it had as a module
    (workflows/patterns.py); moving it inside the package must not change it."""
    assert get_flow_ref(patterns.PatternFlow) == "workflows/patterns.PatternFlow"
    assert (
        get_task_ref(patterns.PatternFlow.review_pattern)
        == "workflows/patterns.PatternFlow.review_pattern"
    )
    assert import_flow_by_ref("workflows/patterns.PatternFlow") is patterns.PatternFlow


# Reviewing it -------------------------------------------------------------------------


@pytest.fixture
def pattern(child, staff, rule):
    """A raised review: the concern that raised it, its task."""
    rule(n=2, days=30)
    report(child, staff)
    concern = report(child, staff)
    return concern, review_task(concern)


@pytest.mark.parametrize("text", ["", "NFA", "No concerns.", "Reviewed, fine."])
def test_the_review_needs_a_real_conclusion(pattern, dsl, text):
    _concern, task = pattern
    services.task_claim(task=task, user=dsl)
    with pytest.raises(ValidationError) as refused:
        services.pattern_review_complete(task=task, user=dsl, conclusion=text)
    assert "conclusion" in refused.value.message_dict
    review = PatternReview.objects.get()
    assert review.reviewed_at is None


def test_the_dsl_reviews_the_pattern_on_the_task_page(
    pattern, child, dsl, verified_client
):
    concern, task = pattern
    client = verified_client(dsl)
    client.post(TASK_URL.format(task.pk) + "claim/")
    page = client.get(TASK_URL.format(task.pk)).content.decode()
    assert "Review the pattern" in page
    for linked in PatternReview.objects.get().concerns.all():
        assert f"/admin/casework/concerns/{linked.pk}/" in page
    assert f"/admin/files/{child.pk}/" in page

    refused = client.post(TASK_URL.format(task.pk), {"conclusion": "NFA"})
    assert "is not a reason" in refused.content.decode()
    done = client.post(
        TASK_URL.format(task.pk), {"conclusion": CONCLUSION}, follow=True
    ).content.decode()
    assert "Pattern reviewed" in done
    review = PatternReview.objects.get()
    assert review.reviewed_by == dsl and review.conclusion == CONCLUSION
    assert open_steps(concern) == ["triage"]  # the concern's own step is untouched
    assert open_task(concern, "triage").owner is None


def test_finishing_a_step_does_not_take_the_pattern_review_with_it(pattern, dsl):
    concern, task = pattern
    builders.triage(
        concern,
        dsl,
        risk_reason="Repeated physical bullying at lunchtime by one group.",
    )
    claimed = services.claim_next(concern=concern, user=dsl)
    assert [t.step for t in claimed] == ["decide"]
    task.refresh_from_db()
    assert task.owner is None  # still in the team queue


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEAD, Role.CONFIGURATOR])
def test_people_outside_the_dsl_team_cannot_open_the_review(
    pattern, make_member, verified_client, role
):
    _concern, task = pattern
    client = verified_client(make_member(role))
    assert client.get(TASK_URL.format(task.pk)).status_code == 404
    assert client.post(TASK_URL.format(task.pk) + "claim/").status_code == 404
    post = client.post(TASK_URL.format(task.pk), {"conclusion": CONCLUSION})
    assert post.status_code == 404
    assert PatternReview.objects.get().reviewed_at is None


def test_a_dsl_of_another_school_cannot_open_the_review(
    pattern, make_member, other_school, verified_client
):
    _concern, task = pattern
    outsider = make_member(Role.DSL, at=other_school)
    assert verified_client(outsider).get(TASK_URL.format(task.pk)).status_code == 404
    with pytest.raises(services.TaskConflict):
        services.task_claim(task=task, user=outsider)


def test_the_team_queue_and_status_page_name_the_step(pattern, dsl, verified_client):
    _concern, task = pattern
    client = verified_client(dsl)
    queue = client.get("/admin/casework/team-queue/?step=review_pattern")
    assert TASK_URL.format(task.pk) in queue.content.decode()
    triage_only = client.get("/admin/casework/team-queue/?step=triage")
    assert TASK_URL.format(task.pk) not in triage_only.content.decode()
    status = client.get("/admin/casework/status/").content.decode()
    assert "Pattern review" in status


# The DSL's settings -------------------------------------------------------------------


def test_the_dsl_adds_and_removes_rules_on_the_settings_page(
    school, dsl, verified_client
):
    client = verified_client(dsl)
    category = term(Vocabulary.CATEGORY, "child-on-child")
    response = client.post(
        f"{SETTINGS}?school={school.pk}",
        {
            "form": "rule_add",
            "min_concerns": 3,
            "within_days": 30,
            "category": category.pk,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Pattern rule added." in page
    assert "3 concerns about the same child within 30 days" in page
    rule = PatternRule.objects.get()
    assert rule.category == category and rule.created_by == dsl

    client.post(SETTINGS, {"form": "rule_remove", "rule": rule.pk})
    assert not PatternRule.objects.exists()


def test_a_rule_that_raised_reviews_is_switched_off_not_deleted(pattern, dsl):
    rule = PatternRule.objects.get()
    assert services.pattern_rule_remove(rule=rule, user=dsl) is not None
    rule.refresh_from_db()
    assert rule.is_active is False
    assert PatternReview.objects.get().rule == rule


@pytest.mark.parametrize(
    "fields",
    [
        {"min_concerns": 1, "within_days": 30},
        {"min_concerns": 3, "within_days": 0},
        {"min_concerns": 3, "within_days": 30, "category": "bullying"},  # sub-category
    ],
)
def test_unworkable_rules_are_refused(school, dsl, verified_client, fields):
    data = {"form": "rule_add", **fields}
    if "category" in data:
        data["category"] = term(Vocabulary.CATEGORY, data["category"]).pk
    page = verified_client(dsl).post(SETTINGS, data).content.decode()
    assert "Pattern rule added." not in page
    assert not PatternRule.objects.exists()


def test_the_same_rule_twice_is_refused(school, dsl, rule):
    rule(n=3, days=30)
    with pytest.raises(ValidationError, match="already set"):
        rule(n=3, days=30)


@pytest.mark.parametrize(
    "role", [Role.STAFF, Role.HEAD, Role.CONFIGURATOR, Role.DEPUTY_DSL]
)
def test_only_a_dsl_sets_the_rules(school, make_member, verified_client, role):
    user = make_member(role)
    response = verified_client(user).post(
        SETTINGS, {"form": "rule_add", "min_concerns": 3, "within_days": 30}
    )
    assert response.status_code in (302, 403)
    assert not PatternRule.objects.exists()
    with pytest.raises(PermissionDenied):
        services.pattern_rule_add(
            school=school, user=user, min_concerns=3, within_days=30
        )


def test_a_dsl_of_another_school_cannot_touch_this_schools_rules(
    school, other_school, make_member, rule, verified_client
):
    threshold = rule()
    outsider = make_member(Role.DSL, at=other_school)
    response = verified_client(outsider).post(
        f"{SETTINGS}?school={school.pk}", {"form": "rule_remove", "rule": threshold.pk}
    )
    assert response.status_code == 404  # her own school's rules have no such rule
    assert PatternRule.objects.filter(pk=threshold.pk, is_active=True).exists()
    with pytest.raises(PermissionDenied):
        services.pattern_rule_remove(rule=threshold, user=outsider)
