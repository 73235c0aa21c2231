"""Record-quality checks: each flags what is missing and clears when it is there."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from records import quality
from records import services as record_services
from records.models import Concern, FileNote, Pupil, Referral
from taxonomy.models import Vocabulary

from ..builders import child_of, decide, term, triage

RATIONALE = (
    "We spoke to the child and the class teacher and weighed it against the "
    "threshold document; monitoring in school is proportionate."
)


def checks_for(user, pupil):
    return [
        f.check
        for f in quality.findings(user=user, pupils=Pupil.objects.filter(pk=pupil.pk))
    ]


def triage_and_decide(concern, dsl, **decision):
    triage(
        concern, dsl, "low", risk_reason="A first report with no injury and no pattern."
    )
    decide(concern, dsl, rationale=RATIONALE, **{"agencies": (), **decision})


def test_a_complete_file_is_healthy(submit, dsl):
    concern = submit()
    assert checks_for(dsl, child_of(concern)) == []
    assert quality.health([])["level"] == "good"


def test_a_missing_childs_voice_is_flagged_until_a_note_records_it(submit, dsl):
    concern = submit()
    Concern.objects.filter(pk=concern.pk).update(child_voice="")
    pupil = child_of(concern)
    assert checks_for(dsl, pupil) == ["voice"]
    record_services.file_note_add(
        pupil=pupil,
        user=dsl,
        kind=FileNote.Kind.DISCUSSION,
        title="Talked with Ava",
        occurred_at=timezone.now(),
        body="Followed up the report.",
        child_voice="'I just want it to stop.'",
        concern=concern,
    )
    assert checks_for(dsl, pupil) == []


def test_a_referral_without_an_outcome_after_its_due_date_is_flagged(submit, dsl):
    concern = submit()
    triage_and_decide(
        concern,
        dsl,
        outcome="referral",
        review_on=timezone.localdate() + timedelta(days=30),
        agencies=[term(Vocabulary.AGENCY, "police")],
    )
    pupil = child_of(concern)
    assert checks_for(dsl, pupil) == []  # not due yet
    Referral.objects.update(response_due=timezone.localdate() - timedelta(days=1))
    assert checks_for(dsl, pupil) == ["outcome"]
    Referral.objects.update(agency_outcome="nfa")
    found = quality.findings(user=dsl, pupils=Pupil.objects.filter(pk=pupil.pk))
    assert "their reason is not recorded" in str(found[0].message)
    Referral.objects.update(agency_rationale="No offence disclosed, advice given.")
    assert checks_for(dsl, pupil) == []


def test_an_overdue_review_on_an_open_concern_is_flagged(submit, dsl):
    concern = submit()
    triage_and_decide(
        concern, dsl, outcome="monitor", review_on=timezone.localdate() + timedelta(1)
    )
    pupil = child_of(concern)
    assert checks_for(dsl, pupil) == []
    concern.decisions.update(review_on=timezone.localdate() - timedelta(days=1))
    assert checks_for(dsl, pupil) == ["review"]


def test_an_open_concern_with_nothing_recorded_for_weeks_is_a_gap(submit, dsl):
    concern = submit()
    old = timezone.now() - timedelta(days=quality.GAP_DAYS + 5)
    Concern.objects.filter(pk=concern.pk).update(submitted_at=old)
    pupil = child_of(concern)
    assert checks_for(dsl, pupil) == ["gap"]
    record_services.file_note_add(
        pupil=pupil,
        user=dsl,
        kind=FileNote.Kind.PHONE,
        title="Call with mum",
        occurred_at=timezone.now(),
        body="Things are calmer at home.",
        concern=concern,
    )
    assert checks_for(dsl, pupil) == []


def test_files_needing_attention_lists_only_the_users_schools(
    submit,
    dsl,
    make_member,
    other_school,
    verified_client,
):
    concern = submit()
    Concern.objects.filter(pk=concern.pk).update(child_voice="")
    pupil = child_of(concern)
    page = verified_client(dsl).get("/admin/files/attention/").content.decode()
    assert pupil.last_name in page and "voice" in page
    file_page = verified_client(dsl).get(f"/admin/files/{pupil.pk}/").content.decode()
    assert 'data-health="attention"' in file_page
    other = verified_client(make_member(Role.DSL, at=other_school))
    assert pupil.last_name not in other.get("/admin/files/attention/").content.decode()


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEAD, Role.CONFIGURATOR])
def test_files_needing_attention_is_for_the_dsl_team_only(
    make_member, verified_client, role
):
    response = verified_client(make_member(role)).get("/admin/files/attention/")
    assert response.status_code in (302, 403)


def test_the_attention_list_queries_stay_flat(
    submit,
    dsl,
    verified_client,
    django_assert_max_num_queries,
):
    client = verified_client(dsl)
    for _ in range(3):
        Concern.objects.filter(pk=submit().pk).update(child_voice="")
    client.get("/admin/files/attention/")
    with django_assert_max_num_queries(60) as few:
        client.get("/admin/files/attention/")
    budget = len(few)
    for _ in range(20):
        Concern.objects.filter(pk=submit().pk).update(child_voice="")
    with django_assert_max_num_queries(budget):
        page = client.get("/admin/files/attention/").content.decode()
    assert page.count("neither recorded nor explained") == 23
