"""The transfer pages as each role sees them, and the receiving school's link."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from records.models import PreviousSchoolEntry, Transfer

from ..builders import transfer_claim, transfer_out, transfer_send


def test_only_the_schools_dsls_and_deputies_see_transfers(
    pupil, dsl, make_member, other_school, verified_client
):
    transfer = transfer_out(pupil, dsl)
    pages = [
        reverse("workflows:transfer_list"),
        reverse("workflows:transfer_detail", args=[transfer.pk]),
        reverse("workflows:transfer_out_start", args=[pupil.pk]),
    ]
    for role, at in [
        (Role.STAFF, None),
        (Role.HEAD, None),
        (Role.CONFIGURATOR, None),
        (Role.DSL, other_school),
    ]:
        client = verified_client(make_member(role, at=at))
        for url in pages:
            response = client.get(url)
            if role == Role.DSL and url == pages[0]:
                assert transfer.reference.encode() not in response.content
            else:
                assert response.status_code in (302, 403, 404), (role, url)
        response = client.post(pages[1], {"form": "conversation", "not_needed": "x"})
        assert response.status_code in (302, 403, 404)
    transfer.refresh_from_db()
    assert not transfer.conversation_not_needed
    deputy = verified_client(make_member(Role.DEPUTY_DSL))
    assert transfer.reference.encode() in deputy.get(pages[0]).content
    assert deputy.get(pages[1]).status_code == 200


def test_starting_a_transfer_keeps_what_was_typed_and_claims_the_first_step(
    pupil, dsl, verified_client
):
    client = verified_client(dsl)
    url = reverse("workflows:transfer_out_start", args=[pupil.pk])
    response = client.post(url, {"other_contact": "Priya Shah, 01632 960000"})
    assert response.status_code == 200
    assert b"Say which school the child is going to." in response.content
    assert b"Priya Shah, 01632 960000" in response.content
    assert not Transfer.objects.exists()
    response = client.post(
        url,
        {
            "other_school_name": "Far Hill Academy",
            "starts_on": timezone.localdate().isoformat(),
            "submission_key": "3f2b1c4e-0000-4000-8000-000000000001",
        },
    )
    transfer = Transfer.objects.get()
    assert response.url == reverse("workflows:transfer_detail", args=[transfer.pk])
    page = client.get(response.url)
    assert b"Send the child protection file" in page.content
    assert b"Build the bundle and send it" in page.content  # held by this DSL


def test_the_passphrase_and_link_are_shown_once(pupil, dsl, verified_client):
    transfer = transfer_out(pupil, dsl)
    transfer_claim(transfer, "send_file", dsl)
    client = verified_client(dsl)
    url = reverse("workflows:transfer_detail", args=[transfer.pk])
    response = client.post(url, {"form": "send", "delivery": "courier"})
    assert b"Say how and to whom the file was sent." in response.content
    response = client.post(url, {"form": "send", "delivery": "link"}, follow=True)
    page = response.content.decode()
    assert "data-passphrase" in page and "/transfer/" in page
    again = client.get(url).content.decode()
    assert "data-passphrase" not in again and "/transfer/" not in again
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SENT


def test_the_link_page_needs_no_account_downloads_once_and_takes_the_receipt(
    pupil, dsl
):
    transfer = transfer_out(pupil, dsl)
    transfer, _phrase, token = transfer_send(transfer, dsl)
    client = Client()
    url = reverse("transfer_link", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert pupil.last_name.encode() not in page.content  # initials only
    assert page["Referrer-Policy"] == "same-origin"
    download = client.post(url, {"form": "download"})
    assert download["Content-Type"] == "application/zip"
    assert b"".join(download.streaming_content)[:2] == b"PK"
    again = client.post(url, {"form": "download"}, follow=True)
    assert b"already been used" in again.content
    response = client.post(url, {"form": "receipt", "name": "Priya Shah"})
    assert b"This field is required" in response.content
    assert b"Priya Shah" in response.content
    response = client.post(
        url,
        {
            "form": "receipt",
            "name": "Priya Shah",
            "role": "DSL",
            "school_name": "Far Hill Academy",
            "received_on": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    assert b"the receipt is recorded" in response.content
    transfer.refresh_from_db()
    assert transfer.receipt_via == Transfer.ReceiptVia.LINK
    assert Client().get(reverse("transfer_link", args=["nope"])).status_code == 404


def test_a_wrong_passphrase_is_explained_and_nothing_is_imported(
    pupil, dsl, verified_client
):
    from workflows import transfers

    incoming = transfers.transfer_in_start(pupil=pupil, user=dsl)
    transfers.expected_answer(
        task=transfer_claim(incoming, "ask_expected", dsl),
        user=dsl,
        expected=True,
        other_school_name="Meadow Primary",
    )
    transfer_claim(incoming, "receive_file", dsl)
    client = verified_client(dsl)
    response = client.post(
        reverse("workflows:transfer_detail", args=[incoming.pk]),
        {
            "form": "preview",
            "bundle": SimpleUploadedFile("bundle.zip", b"PK\x03\x04 not really"),
            "passphrase": "wrong",
        },
    )
    assert response.status_code == 200
    assert b"Nothing was saved" in response.content
    assert not PreviousSchoolEntry.objects.exists()
    incoming.refresh_from_db()
    assert incoming.status == Transfer.Status.EXPECTED


@pytest.mark.parametrize(
    ("form", "who", "message"),
    [
        ("send", "deputy", b"Claim this task before working on it."),
        ("expected", "dsl", b"That step is not open any more."),
        ("complete_out", "dsl", b"That step is not open any more."),
        ("import", "deputy", b"That step is not open any more."),
    ],
)
def test_a_step_needs_its_task_open_and_claimed(
    pupil, dsl, deputy, verified_client, form, who, message
):
    transfer = transfer_out(pupil, dsl)
    transfer_claim(transfer, "send_file", dsl)
    client = verified_client({"dsl": dsl, "deputy": deputy}[who])
    response = client.post(
        reverse("workflows:transfer_detail", args=[transfer.pk]),
        {"form": form, "delivery": "link", "expected": "no", "reason": "None."},
        follow=True,
    )
    assert message in response.content
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.PREPARING


def test_the_transfer_list_and_queues_read_a_fixed_number_of_queries(
    school, dsl, verified_client, django_assert_max_num_queries
):
    from ..factories import PupilFactory

    def add(count):
        for _ in range(count):
            transfer_out(PupilFactory(school=school), dsl)

    client = verified_client(dsl)
    add(3)
    budgets = {}
    for url in (reverse("workflows:transfer_list"), reverse("workflows:team_queue")):
        client.get(url)
        with django_assert_max_num_queries(60) as few:
            assert client.get(url).status_code == 200
        budgets[url] = len(few)
    add(30)
    for url, budget in budgets.items():
        client.get(url)  # the session is rewritten after half a minute: warm up
        with django_assert_max_num_queries(budget):
            response = client.get(url)
        assert response.content.count(b"T0000") >= 33


def test_the_queue_filters_to_a_transfer_step_and_says_which_way(
    pupil, dsl, submit, verified_client
):
    concern = submit()
    transfer = transfer_out(pupil, dsl)
    client = verified_client(dsl)
    page = client.get(
        reverse("workflows:team_queue"), {"step": "send_file"}
    ).content.decode()
    assert transfer.reference in page and "Transfer out" in page
    # The concern's triage is filtered out. (Its reference, not "C0": a random
    # CSRF token on the page contains "C0" now and then.)
    assert concern.reference not in page
    unfiltered = client.get(reverse("workflows:team_queue")).content.decode()
    assert concern.reference in unfiltered
