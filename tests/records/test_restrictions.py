"""Need to know: a concern or a child's file restricted to named people is hidden
from everyone else in the team, wherever it would show; break-glass opens one for a
while, read-only, with a reason, telling the DSLs and leaving an audit entry."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import ChainedLogEntry as LogEntry
from records import restrictions
from records.chronology import chronology
from records.file_audits import pupils_auditable_by
from records.models import (
    Action,
    BreakGlassAccess,
    FileNote,
    Restriction,
)
from records.selectors import (
    concerns_visible_to,
    pupils_restricted_from,
    pupils_visible_to,
)
from workflows import selectors as task_selectors
from workflows.models import CaseTask, Notification
from workflows.selectors import task_team

from .. import builders
from ..factories import UserFactory

REASON = "An allegation about a member of staff who is close to the child."
GLASS = "The DSL is on a trip and the police need the history of this concern now."


@pytest.fixture
def concern(submit):
    return submit()


@pytest.fixture
def child(concern):
    return concern.involvements.get().pupil


@pytest.fixture
def sysadmin(db, totp_device):
    user = UserFactory(username="sysadmin", is_superuser=True, is_staff=True)
    totp_device(user)
    return user


def restrict(obj, by, *people):
    return restrictions.restriction_set(obj=obj, user=by, reason=REASON, people=people)


def test_a_restricted_concern_is_hidden_from_the_team_members_not_named(
    concern, child, dsl, deputy, verified_client
):
    restrict(concern, dsl)

    assert concern in concerns_visible_to(dsl)
    assert concern not in concerns_visible_to(deputy)
    # The child's file is still the deputy's, without the concern in it.
    assert child in pupils_visible_to(deputy)
    assert not [e for e in chronology(child, user=deputy) if e.concern == concern]
    assert [e for e in chronology(child, user=dsl) if e.concern == concern]
    # Its tasks are in nobody's queue but the named people's.
    task = CaseTask.objects.get(concern=concern, flow_task_type="HUMAN")
    assert task in task_selectors.team_queue(dsl)
    assert task not in task_selectors.team_queue(deputy)
    assert task not in task_selectors.tasks_of(deputy)

    client = verified_client(deputy)
    assert (
        client.get(reverse("workflows:casework_concern", args=[concern.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("workflows:casework_task", args=[task.pk])).status_code
        == 404
    )
    page = client.get(reverse("records_admin:file_detail", args=[child.pk]))
    assert concern.what_happened not in page.content.decode()
    assert page.context["hidden_concerns"] == 1
    assert "1 concern about this child is restricted" in page.content.decode()
    # The notice gives the reference break-glass asks for, already filled in.
    link = (
        f"{reverse('records_admin:break_glass')}?school={child.school_id}"
        f"&reference={concern.reference}"
    )
    assert link.replace("&", "&amp;") in page.content.decode()
    asked = client.get(link)
    assert asked.context["form"]["reference"].value() == concern.reference
    assert asked.context["form"]["school"].value() == str(child.school_id)
    assert (
        concern.reference
        not in client.get(reverse("workflows:team_queue")).content.decode()
    )


def test_a_restricted_file_hides_the_child_and_every_concern_about_them(
    concern, child, dsl, deputy, head, verified_client
):
    restrict(child, dsl)

    assert child not in pupils_visible_to(deputy)
    assert concern not in concerns_visible_to(deputy)
    assert child not in pupils_auditable_by(head)
    assert list(pupils_restricted_from(deputy)) == [child]

    client = verified_client(deputy)
    listing = client.get(reverse("records_admin:file_list")).content.decode()
    assert child.last_name not in listing
    assert "1 file at your school is restricted" in listing
    assert (
        client.get(reverse("records_admin:file_detail", args=[child.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("records_admin:file_export", args=[child.pk])).status_code
        == 404
    )
    assert child in pupils_visible_to(dsl)


def test_the_audit_log_hides_entries_about_a_restricted_record(
    concern, dsl, make_member, verified_client
):
    other_dsl = make_member(Role.DSL)
    restrict(concern, dsl)
    url = reverse(
        "oversight:audit_log_object",
        args=[ContentType.objects.get_for_model(concern).pk, concern.pk],
    )
    assert verified_client(other_dsl).get(url).status_code == 404
    everything = verified_client(other_dsl).get(reverse("oversight:audit_log"))
    assert concern.reference not in everything.content.decode()
    assert verified_client(dsl).get(url).context["rows"]


def test_whoever_restricts_stays_named_and_only_the_team_can_be_named(
    concern, dsl, deputy, staff, head
):
    restriction = restrict(concern, dsl, deputy)
    assert set(restriction.people.all()) == {dsl, deputy}

    with pytest.raises(ValidationError) as error:
        restrict(concern, dsl, staff)
    assert "Only people who already see this record" in str(error.value)
    with pytest.raises(PermissionDenied):
        restrict(concern, head)  # a head does not work the DSL team's concerns
    with pytest.raises(ValidationError):
        restrictions.restriction_set(obj=concern, user=dsl, reason=" ", people=[])


def test_restricting_twice_changes_the_one_restriction(concern, dsl, deputy):
    restrict(concern, dsl, deputy)
    restrict(concern, dsl)
    restriction = Restriction.objects.get(concern=concern)
    assert list(restriction.people.all()) == [dsl]


def test_someone_not_named_cannot_change_or_lift_it(concern, dsl, deputy):
    restriction = restrict(concern, dsl)
    with pytest.raises(PermissionDenied):
        restrict(concern, deputy)
    with pytest.raises(PermissionDenied):
        restrictions.restriction_lift(
            restriction=restriction, user=deputy, reason="I want to see it."
        )


def test_lifting_needs_a_reason_and_opens_it_to_the_team_again(
    concern, dsl, deputy, verified_client
):
    restriction = restrict(concern, dsl)
    client = verified_client(dsl)
    lift = reverse("records_admin:restriction_lift", args=[restriction.pk])
    client.post(lift, {"lift_reason": ""})
    assert concern not in concerns_visible_to(deputy)
    client.post(lift, {"lift_reason": "The allegation was unfounded."})
    restriction.refresh_from_db()
    assert restriction.lifted_by == dsl
    assert restriction.lift_reason == "The allegation was unfounded."
    assert concern in concerns_visible_to(deputy)


def test_the_restrict_page_keeps_what_was_typed_on_an_error(
    concern, dsl, deputy, verified_client
):
    client = verified_client(dsl)
    url = reverse("records_admin:concern_restrict", args=[concern.pk])
    response = client.post(url, {"reason": "", "people": [deputy.pk]})
    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert response.context["form"]["people"].value() == [str(deputy.pk)]
    assert not Restriction.objects.exists()

    response = client.post(url, {"reason": REASON, "people": [deputy.pk]})
    assert response.status_code == 302
    assert set(Restriction.objects.get().people.all()) == {dsl, deputy}
    page = client.get(
        reverse("workflows:casework_concern", args=[concern.pk])
    ).content.decode()
    assert "only these people can see it" in page


# Break-glass ------------------------------------------------------------------------


def test_a_system_administrator_sees_no_case_content(
    concern, child, sysadmin, verified_client
):
    assert not pupils_visible_to(sysadmin).exists()
    assert not concerns_visible_to(sysadmin).exists()
    client = verified_client(sysadmin)
    assert (
        client.get(reverse("records_admin:file_detail", args=[child.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("workflows:casework_concern", args=[concern.pk])).status_code
        == 404
    )


def test_break_glass_asks_a_reason(child, sysadmin):
    with pytest.raises(ValidationError) as error:
        restrictions.break_glass_open(user=sysadmin, obj=child, reason="checking")
    assert "Say why you need to see it" in str(error.value)
    assert not BreakGlassAccess.objects.exists()


def test_break_glass_opens_the_file_read_only_and_tells_the_dsls(
    concern,
    child,
    school,
    sysadmin,
    dsl,
    deputy,
    verified_client,
    django_capture_on_commit_callbacks,
):
    client = verified_client(sysadmin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("records_admin:break_glass"),
            {
                "school": school.pk,
                "upn": child.upn.lower(),
                "reason": GLASS,
                "understood": "on",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("records_admin:file_detail", args=[child.pk])

    page = client.get(response["Location"]).content.decode()
    assert concern.what_happened in page
    assert "Break-glass access: read-only." in page
    assert reverse("records_admin:file_note_add", args=[child.pk]) not in page
    # Read-only: adding to the file is refused, and nothing is written.
    added = client.post(
        reverse("records_admin:file_note_add", args=[child.pk]),
        {"kind": "discussion", "title": "x", "body": "y"},
    )
    assert added.status_code == 404
    assert not FileNote.objects.exists()
    refused = client.post(
        reverse("workflows:casework_concern", args=[concern.pk]),
        {"description": "Ring mum", "assigned_to": dsl.pk, "due_on": "2040-01-01"},
    )
    assert refused["Location"] == reverse("wagtailadmin_home")  # Wagtail's 403
    assert not Action.objects.exists()

    # The DSL (not the deputy) is told, in Chronicle and by an email with no detail.
    told = Notification.objects.get(kind=Notification.Kind.BREAK_GLASS)
    assert told.user == dsl
    assert f"{sysadmin.get_full_name()} (system administrator)" in told.message
    assert child.upn in told.message
    assert [m.to for m in mail.outbox] == [[dsl.email]]
    assert concern.what_happened not in mail.outbox[0].body
    # The audit log has the access with its reason, and each read of the file.
    opened = LogEntry.objects.filter(
        object_pk=str(child.pk), additional_data__event="break-glass opened"
    ).get()
    assert opened.additional_data["reason"] == GLASS
    assert opened.actor == sysadmin
    assert LogEntry.objects.filter(
        object_pk=str(child.pk), additional_data__event="file read", actor=sysadmin
    ).exists()
    # The DSLs' register shows who, what and why.
    register = (
        verified_client(dsl).get(reverse("records_admin:break_glass")).content.decode()
    )
    assert GLASS in register and child.upn in register


def test_break_glass_ends_by_itself_and_can_be_closed(child, sysadmin):
    access = restrictions.break_glass_open(user=sysadmin, obj=child, reason=GLASS)
    later = timezone.now() + timedelta(minutes=restrictions.BREAK_GLASS_MINUTES + 1)
    assert child in pupils_visible_to(sysadmin)
    assert not restrictions.open_break_glass(sysadmin, now=later).exists()

    restrictions.break_glass_close(access=access, user=sysadmin)
    assert child not in pupils_visible_to(sysadmin)


def test_a_deputy_can_break_glass_on_a_restricted_concern_at_their_school(
    concern, school, other_school, dsl, deputy, verified_client
):
    restrict(concern, dsl)
    client = verified_client(deputy)
    form = {
        "school": school.pk,
        "reference": concern.reference,
        "reason": GLASS,
        "understood": "on",
    }
    response = client.post(reverse("records_admin:break_glass"), form)
    assert response["Location"] == reverse(
        "workflows:casework_concern", args=[concern.pk]
    )
    assert concern.what_happened in client.get(response["Location"]).content.decode()
    # Not at another school, and not for something they can already see.
    with pytest.raises(PermissionDenied):
        restrictions.break_glass_target(
            user=deputy, school=other_school, reference=concern.reference
        )
    with pytest.raises(ValidationError):
        restrictions.break_glass_open(user=deputy, obj=concern, reason=GLASS)


def test_break_glass_form_errors_keep_what_was_typed(school, sysadmin, verified_client):
    client = verified_client(sysadmin)
    response = client.post(
        reverse("records_admin:break_glass"),
        {"school": school.pk, "reference": "C999999", "reason": GLASS},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was opened" in body
    assert GLASS in body and "C999999" in body
    response = client.post(
        reverse("records_admin:break_glass"),
        {
            "school": school.pk,
            "reference": "C999999",
            "reason": GLASS,
            "understood": "on",
        },
    )
    assert "No concern with that reference at this school." in response.content.decode()
    assert not BreakGlassAccess.objects.exists()


def test_staff_and_heads_cannot_break_glass(staff, head, verified_client):
    for user in (staff, head):
        assert verified_client(user).get(
            reverse("records_admin:break_glass")
        ).status_code in (
            302,
            403,
        )


def test_a_note_tied_to_a_restricted_concern_is_hidden_with_its_document(
    concern, child, dsl, deputy, verified_client
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from records.services import file_note_add

    note = file_note_add(
        pupil=child,
        user=dsl,
        kind="meeting",
        title="Strategy discussion",
        occurred_at=timezone.now(),
        body="What the strategy discussion decided.",
        concern=concern,
        attachments=[
            SimpleUploadedFile(
                "minutes.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"
            )
        ],
    )
    restrict(concern, dsl)
    client = verified_client(deputy)
    page = client.get(
        reverse("records_admin:file_detail", args=[child.pk])
    ).content.decode()
    assert "What the strategy discussion decided." not in page
    document = note.attachments.get()
    assert (
        client.get(
            reverse("records_admin:file_document", args=[document.pk])
        ).status_code
        == 404
    )
    assert (
        verified_client(dsl)
        .get(reverse("records_admin:file_document", args=[document.pk]))
        .status_code
        == 200
    )
    # The file's own access entries (which the deputy's pages read) don't keep its
    # name: that stays in the document's own history.
    on_file = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(child),
        object_pk=str(child.pk),
        additional_data__event="document downloaded",
    )
    assert on_file.additional_data["document"] == (
        f"a document on concern {concern.reference}"
    )
    assert LogEntry.objects.filter(
        object_pk=str(document.pk), additional_data__event="document downloaded"
    ).exists()


def test_notifications_and_hand_overs_go_to_the_people_named_only(
    submit, school, dsl, deputy, make_member
):
    second_dsl = make_member(Role.DSL)
    concern = submit()
    child = concern.involvements.get().pupil
    restrict(child, dsl, second_dsl)
    Notification.objects.all().delete()

    # A new concern about the child: the named people hear, the deputy doesn't.
    builders.concern(
        school=school,
        by=dsl,
        children=[child],
        category="neglect",
        location="classroom",
        route=concern.route,
        what_happened="Came in hungry again.",
        child_voice="",
    )
    told = set(Notification.objects.values_list("user", flat=True))
    assert told == {dsl.pk, second_dsl.pk}
    # A task about the child can be handed only to them.
    task = CaseTask.objects.filter(concern=concern, flow_task_type="HUMAN").first()
    assert set(task_team(task)) == {dsl, second_dsl}


def test_the_sender_is_warned_when_a_restricted_concern_would_be_left_out(
    concern, child, dsl, deputy, verified_client
):
    restrict(concern, dsl)
    transfer = builders.transfer_out(
        child, deputy, other_school_name="Far View Secondary (test)"
    )
    url = reverse("workflows:transfer_detail", args=[transfer.pk])
    builders.transfer_claim(transfer, "send_file", deputy)
    client = verified_client(deputy)
    page = client.get(url).content.decode()
    assert "1 concern about this child is restricted to named people" in page
    restrictions.restriction_lift(
        restriction=Restriction.objects.get(), user=dsl, reason="Unfounded."
    )
    page = client.get(url).content.decode()
    assert "Send the child protection file" in page
    assert "restricted to named people" not in page


def test_break_glass_on_a_concern_does_not_open_the_rest_of_the_file(
    concern, child, sysadmin, verified_client
):
    restrictions.break_glass_open(user=sysadmin, obj=concern, reason=GLASS)
    client = verified_client(sysadmin)
    page = client.get(
        reverse("workflows:casework_concern", args=[concern.pk])
    ).content.decode()
    assert concern.what_happened in page
    assert reverse("records_admin:file_detail", args=[child.pk]) not in page
    assert (
        client.get(reverse("records_admin:file_detail", args=[child.pk])).status_code
        == 404
    )
