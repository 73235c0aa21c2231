"""Two DSLs saving the same thing: the second save is refused, with who changed it,
when and what is stored now, instead of silently overwriting the first. The
handover conversation (transfers.conversation_record) and the casework settings
(services.casework_settings_save)."""

import re

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from accounts.models import Role
from records.models import Transfer
from workflows import transfers
from workflows.models import CaseworkSettings
from workflows.services import EditConflict, last_change

from ..builders import transfer_out

VERSION = re.compile(r'name="loaded" value="([^"]+)"')


@pytest.fixture
def amira(make_member):
    return make_member(Role.DSL, first_name="Amira", last_name="Khan")


@pytest.fixture
def ben(make_member):
    return make_member(Role.DSL, first_name="Ben", last_name="Okafor")


def open_page(client, url):
    """What the browser holds after loading the page: the version it carries."""
    response = client.get(url)
    assert response.status_code == 200
    return VERSION.search(response.content.decode()).group(1)


def on_day(moment):
    return format_date(timezone.localtime(moment), "j F Y")


# The handover conversation ------------------------------------------------------------


@pytest.fixture
def transfer(pupil, amira):
    return transfer_out(pupil, amira)


@pytest.fixture
def transfer_url(transfer):
    return reverse("workflows:transfer_detail", args=[transfer.pk])


def conversation(version=None, **typed):
    data = {
        "form": "conversation",
        "with_whom": "Priya Shah, DSL, Far Hill",
        "on": timezone.localdate().isoformat(),
        "summary": "",
        "not_needed": "",
        **typed,
    }
    if version is not None:
        data["loaded"] = version
    return data


def test_a_second_conversation_save_is_refused_and_says_who_when_and_what(
    verified_client, amira, ben, transfer, transfer_url
):
    amiras_page = open_page(verified_client(amira), transfer_url)
    bens_page = open_page(verified_client(ben), transfer_url)

    first = verified_client(amira).post(
        transfer_url, conversation(amiras_page, summary="Shared the CIN plan.")
    )
    assert first.status_code == 302
    second = verified_client(ben).post(
        transfer_url,
        conversation(bens_page, summary="Shared the social worker's details."),
    )

    page = second.content.decode()
    assert second.status_code == 200
    stored = Transfer.objects.get(pk=transfer.pk)
    assert "Nothing was saved" in page
    recorded = last_change(stored, transfers.CONVERSATION_FIELDS).timestamp
    assert (
        f"recorded by Amira Khan at {format_date(timezone.localtime(recorded), 'H:i')}"
        in page
    )
    assert on_day(recorded) in page
    assert "What is recorded now" in page
    assert "Shared the CIN plan." in page  # Amira's, shown to Ben
    assert "Shared the social worker&#x27;s details." in page  # Ben's typing kept
    assert stored.conversation_summary == "Shared the CIN plan."
    assert stored.conversation_recorded_by == amira


def test_after_a_refusal_saving_again_replaces_the_conversation(
    verified_client, amira, ben, transfer, transfer_url
):
    amiras_page = open_page(verified_client(amira), transfer_url)
    bens_page = open_page(verified_client(ben), transfer_url)
    verified_client(amira).post(
        transfer_url, conversation(amiras_page, summary="Shared the CIN plan.")
    )
    refused = verified_client(ben).post(
        transfer_url, conversation(bens_page, summary="CIN plan and social worker.")
    )
    current = VERSION.search(refused.content.decode()).group(1)
    assert current != bens_page

    again = verified_client(ben).post(
        transfer_url, conversation(current, summary="CIN plan and social worker.")
    )

    assert again.status_code == 302
    stored = Transfer.objects.get(pk=transfer.pk)
    assert stored.conversation_summary == "CIN plan and social worker."
    assert stored.conversation_recorded_by == ben


def test_one_dsl_records_the_conversation_as_before(
    verified_client, amira, transfer, transfer_url
):
    client = verified_client(amira)
    version = open_page(client, transfer_url)

    response = client.post(
        transfer_url, conversation(version, not_needed="Moved abroad.")
    )

    assert response.status_code == 302
    stored = Transfer.objects.get(pk=transfer.pk)
    assert stored.conversation_not_needed == "Moved abroad."
    assert stored.conversation_recorded_by == amira


@pytest.mark.parametrize("version", [None, "", "not a version"])
def test_a_conversation_without_a_usable_version_is_refused_clearly(
    verified_client, amira, ben, transfer, transfer_url, version
):
    transfers.conversation_record(transfer=transfer, user=amira, not_needed="Abroad.")

    response = verified_client(ben).post(
        transfer_url, conversation(version, summary="Shared the CIN plan.")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in page
    assert "didn&#x27;t say which record of the conversation" in page
    assert "What is recorded now: no conversation needed: “Abroad.”" in page
    assert "Shared the CIN plan." in page
    stored = Transfer.objects.get(pk=transfer.pk)
    assert (stored.conversation_not_needed, stored.conversation_summary) == (
        "Abroad.",
        "",
    )


def test_the_conversation_check_reads_the_locked_row_not_the_callers_copy(
    transfer, amira, ben
):
    held = Transfer.objects.get(pk=transfer.pk)
    transfers.conversation_record(transfer=transfer, user=amira, not_needed="Abroad.")

    with pytest.raises(EditConflict) as refused, transaction.atomic():
        transfers.conversation_record(transfer=held, user=ben, not_needed="Home ed.")
    assert refused.value.stored.conversation_not_needed == "Abroad."
    assert refused.value.who == amira
    assert Transfer.objects.get(pk=transfer.pk).conversation_not_needed == "Abroad."


# Casework settings --------------------------------------------------------------------


@pytest.fixture
def settings_url():
    return reverse("workflows:casework_settings")


def choose(choice, version=None):
    data = {"form": "settings", "closure_sign_off": choice}
    if version is not None:
        data["loaded"] = version
    return data


@pytest.mark.parametrize("saved_before", [True, False], ids=["saved", "first save"])
def test_a_second_settings_save_is_refused_and_says_who_when_and_what(
    verified_client, amira, ben, school, settings_url, saved_before
):
    if saved_before:
        CaseworkSettings.for_school(school).save()
    amiras_page = open_page(verified_client(amira), settings_url)
    bens_page = open_page(verified_client(ben), settings_url)

    first = verified_client(amira).post(settings_url, choose("always", amiras_page))
    assert first.status_code == 302
    second = verified_client(ben).post(settings_url, choose("high_risk", bens_page))

    page = second.content.decode()
    stored = CaseworkSettings.objects.get(school=school)
    assert second.status_code == 200
    assert "A colleague saved these settings" in page
    assert "saved by Amira Khan at" in page
    assert on_day(stored.updated_at) in page
    assert "What is stored now: “Required for every closure”" in page
    assert re.search(r'value="high_risk"[^>]*checked', page)  # Ben's choice kept
    assert stored.closure_sign_off == "always"


def test_one_dsl_saves_the_settings_as_before(
    verified_client, amira, school, settings_url
):
    client = verified_client(amira)
    version = open_page(client, settings_url)

    response = client.post(settings_url, choose("always", version))

    assert response.status_code == 302
    assert CaseworkSettings.objects.get(school=school).closure_sign_off == "always"


def test_saving_the_settings_unchanged_does_not_refuse_a_colleague(
    verified_client, amira, ben, school, settings_url
):
    CaseworkSettings.for_school(school).save()
    amiras_page = open_page(verified_client(amira), settings_url)
    bens_page = open_page(verified_client(ben), settings_url)
    unchanged = verified_client(ben).post(settings_url, choose("optional", bens_page))
    assert unchanged.status_code == 302

    response = verified_client(amira).post(settings_url, choose("always", amiras_page))

    assert response.status_code == 302
    assert CaseworkSettings.objects.get(school=school).closure_sign_off == "always"


@pytest.mark.parametrize("version", [None, "", "not a version"])
def test_settings_without_a_usable_version_are_refused_clearly(
    verified_client, amira, school, settings_url, version
):
    CaseworkSettings.for_school(school).save()

    response = verified_client(amira).post(settings_url, choose("always", version))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved: this page didn&#x27;t say which version" in page
    assert "What is stored now: “The closing DSL chooses”" in page
    assert re.search(r'value="always"[^>]*checked', page)
    assert CaseworkSettings.objects.get(school=school).closure_sign_off == "optional"
