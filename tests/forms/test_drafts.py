"""Nothing typed is lost: drafts saved as you type, and forms retired mid-edit."""

from django.urls import reverse

from accounts.models import Role
from forms.models import ConcernDraft
from records.models import Concern


def draft_url(page):
    return reverse("concern_forms:draft", args=[page.pk])


def test_a_saved_draft_comes_back_when_the_form_is_opened_again(
    verified_client, staff, form_page, answers
):
    client = verified_client(staff)
    response = client.post(draft_url(form_page), answers)
    assert response.status_code == 200

    page = client.get(form_page.url).content.decode()

    assert "We restored what you typed" in page
    assert "he pushed me off" in page
    assert "By the climbing frame" in page
    assert page.count('name="pupil"') == 2
    # A restored form is a new submission: it must not reuse a key already sent.
    assert f'value="{answers["submission_key"]}"' not in page


def test_sending_the_concern_deletes_the_draft_and_keeps_one_record(
    verified_client, staff, form_page, answers
):
    client = verified_client(staff)
    client.post(draft_url(form_page), answers)
    client.post(form_page.url, answers)
    client.post(form_page.url, answers)
    assert not ConcernDraft.objects.exists()
    assert Concern.objects.count() == 1


def test_a_draft_is_only_for_its_author(
    verified_client, staff, make_member, form_page, answers
):
    verified_client(staff).post(draft_url(form_page), answers)
    colleague = make_member(Role.STAFF)
    page = verified_client(colleague).get(form_page.url).content.decode()
    assert "he pushed me off" not in page
    assert "We restored" not in page


def test_drafts_need_a_role_and_a_sensible_size(
    verified_client, staff, form_page, answers, client
):
    from ..factories import UserFactory

    assert client.post(draft_url(form_page), answers).status_code in (302, 403)
    no_role = verified_client(UserFactory())
    assert no_role.post(draft_url(form_page), answers).status_code == 403
    response = verified_client(staff).post(
        draft_url(form_page), {"what_happened": "x" * 300_000}
    )
    assert response.status_code == 413
    assert not ConcernDraft.objects.exists()


def test_discarding_a_draft_starts_again(verified_client, staff, form_page, answers):
    client = verified_client(staff)
    client.post(draft_url(form_page), answers)
    client.post(reverse("concern_forms:draft_discard", args=[form_page.pk]))
    assert "he pushed me off" not in client.get(form_page.url).content.decode()


def test_a_form_retired_while_someone_writes_still_takes_their_concern(
    verified_client, staff, form_page, answers
):
    client = verified_client(staff)
    submit = reverse("concern_forms:form", args=[form_page.pk])
    form_page.unpublish()

    assert client.get(submit).status_code == 404
    response = client.post(submit, answers)

    concern = Concern.objects.get()
    assert response.url == f"{submit}?submitted={concern.pk}"
    assert f"reference {concern.reference}" in client.get(response.url).content.decode()


def test_a_late_autosave_of_a_sent_form_is_refused(
    verified_client, staff, form_page, answers
):
    client = verified_client(staff)
    client.post(form_page.url, answers)
    response = client.post(draft_url(form_page), answers)
    assert response.status_code == 409
    assert not ConcernDraft.objects.exists()
    assert "We restored" not in client.get(form_page.url).content.decode()
