"""Staff report a concern on a form the DSL configured; it becomes a record."""

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.contrib.forms.models import FormSubmission

from accounts.models import Role
from records.models import Concern, InvolvementRole
from taxonomy.models import Term, Vocabulary

from ..builders import term
from ..factories import PupilFactory

MY_REPORTS = reverse("forms:my_reports")
SEARCH = reverse("concern_forms:pupil_search")


def test_staff_see_the_core_questions_and_the_dsls_own(
    verified_client, staff, form_page
):
    page = verified_client(staff).get(form_page.url).content.decode()
    for text in [
        "Children involved",
        "What the child said",
        "Is a child at immediate risk of harm?",
        "Has anyone else been told?",
        "Physical abuse",
        "Hitting, shaking, throwing",  # the definition, shown while choosing
    ]:
        assert text in page


def test_submitting_makes_one_record_with_each_childs_role(
    verified_client, staff, form_page, answers, school
):
    response = verified_client(staff).post(form_page.url, answers)

    concern = Concern.objects.get()
    assert response.status_code == 302
    submit = reverse("concern_forms:form", args=[form_page.pk])
    assert response.url == f"{submit}?submitted={concern.pk}"
    roles = {i.pupil_id: i.role for i in concern.involvements.all()}
    assert roles == dict(zip(answers["pupil"], answers["pupil_role"], strict=True))
    assert (concern.school, concern.reported_by, concern.route) == (
        school,
        staff,
        Concern.Route.DSL_TEAM,
    )
    assert (
        concern.primary_category_name
        == "Child-on-child abuse › Bullying, including cyberbullying"
    )
    assert concern.answers == [
        {
            "question": "Has anyone else been told?",
            "type": "yesno",
            "choices": "",
            "help_text": "",
            "answer": "yes",
        }
    ]
    assert not FormSubmission.objects.exists()
    landing = verified_client(staff).get(response.url).content.decode()
    assert f"reference {concern.reference}" in landing


def test_double_submit_makes_one_record(verified_client, staff, form_page, answers):
    client = verified_client(staff)
    first = client.post(form_page.url, answers)
    second = client.post(form_page.url, answers)
    assert Concern.objects.count() == 1
    assert first.url == second.url


def test_old_records_keep_their_wording_after_the_form_and_category_change(
    verified_client, staff, form_page, answers
):
    verified_client(staff).post(form_page.url, answers)
    question = form_page.form_fields.get()
    question.label = "Who else knows?"
    question.save()
    category = term(Vocabulary.CATEGORY, "bullying")
    category.name = "Bullying (renamed)"
    category.save()

    concern = Concern.objects.get()
    assert concern.answers[0]["question"] == "Has anyone else been told?"
    assert "Bullying, including cyberbullying" in concern.primary_category_name


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pupil": [], "pupil_role": []}, "Name at least one child"),
        ({"what_happened": ""}, "This field is required"),
        (
            {"occurred_on": (timezone.localdate() + timedelta(days=1)).isoformat()},
            "can&#x27;t be in the future",
        ),
        ({"child_voice": "", "child_voice_not_known": ""}, "say below why you couldn"),
        ({"primary_category": ""}, "This field is required"),
        ({"pupil_role": ["subject", "made-up-role"]}, "Choose how each child"),
    ],
)
def test_bad_input_gets_a_message_keeps_typing_and_saves_nothing(
    verified_client, staff, form_page, answers, change, message
):
    response = verified_client(staff).post(form_page.url, {**answers, **change})

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "nothing has been sent yet" in page
    assert "By the climbing frame" in page
    assert not Concern.objects.exists()


def test_a_child_from_another_school_cannot_be_named(
    verified_client, staff, form_page, answers, other_school
):
    stranger = PupilFactory(school=other_school)
    answers["pupil"] = [stranger.pk]
    answers["pupil_role"] = [InvolvementRole.SUBJECT]
    response = verified_client(staff).post(form_page.url, answers)
    assert "can&#x27;t be found at your school" in response.content.decode()
    assert not Concern.objects.exists()


def test_script_in_text_is_stored_as_typed_and_shown_escaped(
    verified_client, staff, form_page, answers
):
    answers["location_detail"] = "<script>alert('x')</script>"
    answers["primary_category"] = ""
    page = verified_client(staff).post(form_page.url, answers).content.decode()
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;" in page


def test_visitors_must_sign_in_and_need_a_role(client, form_page, verified_client, db):
    response = client.get(form_page.url)
    assert response.status_code == 302
    assert "login" in response.url
    from ..factories import UserFactory

    assert verified_client(UserFactory()).get(form_page.url).status_code == 403


def test_concern_about_an_adult_goes_to_the_head(
    verified_client, staff, form_page, answers
):
    form_page.send_to = Concern.Route.HEAD
    form_page.save_revision().publish()
    about = {
        "adult_kind": "low_level",
        "adult_role": "visitor",
        "adult_name": "Val Visitor",
        "adult_relationship": "Saw them in the hall",
    }
    verified_client(staff).post(form_page.url, {**answers, **about})
    assert Concern.objects.get().route == Concern.Route.HEAD


def test_my_reports_lists_my_concerns_without_their_content(
    verified_client, staff, make_member, form_page, answers
):
    verified_client(staff).post(form_page.url, answers)
    colleague = make_member(Role.STAFF)

    mine = verified_client(staff).get(MY_REPORTS).content.decode()
    theirs = verified_client(colleague).get(MY_REPORTS).content.decode()

    reference = Concern.objects.get().reference
    assert reference in mine and "Received" in mine
    assert "pushed me" not in mine
    assert reference not in theirs
    assert "You have not reported any concerns yet" in theirs


def test_pupil_search_finds_only_children_at_my_school(
    verified_client, staff, school, other_school
):
    PupilFactory(school=school, first_name="Marigold")
    PupilFactory(school=other_school, first_name="Marigolda")
    results = verified_client(staff).get(SEARCH, {"q": "marig"}).json()["results"]
    assert [r["label"].split(" ")[0] for r in results] == ["Marigold"]
    assert verified_client(staff).get(SEARCH, {"q": "m"}).json() == {"results": []}


def test_pupil_search_by_upn(verified_client, staff, school):
    pupil = PupilFactory(school=school)
    results = verified_client(staff).get(SEARCH, {"q": pupil.upn}).json()["results"]
    assert [r["id"] for r in results] == [pupil.pk]


def test_configurators_edit_forms_and_staff_do_not(
    verified_client, make_member, form_page
):
    edit = reverse("wagtailadmin_pages:edit", args=[form_page.pk])
    configurator = make_member(Role.CONFIGURATOR)
    assert verified_client(configurator).get(edit).status_code == 200
    staff = make_member(Role.STAFF)
    response = verified_client(staff).get(edit)
    assert response.status_code == 302
    assert not response.url.startswith(edit)


def test_form_page_queries_stay_flat_as_data_grows(
    verified_client, staff, form_page, school, django_assert_max_num_queries
):
    client = verified_client(staff)
    client.get(form_page.url)  # warm caches (site root, content types)
    # The form's section is one more level of the page tree to walk, and is checked
    # for being the user's schools' (and the menu asks who configures what).
    # Today's menu items (school settings, form questions, webhooks, API tokens)
    # each ask one role question: a known cost, to be resolved once per request.
    with django_assert_max_num_queries(56) as small:
        client.get(form_page.url)
    budget = len(small)
    PupilFactory.create_batch(40, school=school)
    for index in range(40):
        Term.objects.create(
            vocabulary=Vocabulary.CATEGORY, name=f"Extra {index}", definition="x"
        )
    with django_assert_max_num_queries(budget):
        client.get(form_page.url)


def test_my_reports_queries_stay_flat_as_reports_grow(
    verified_client, staff, form_page, answers, django_assert_max_num_queries
):
    client = verified_client(staff)
    client.post(form_page.url, answers)
    client.get(MY_REPORTS)
    with django_assert_max_num_queries(44) as one:  # the menu, as above
        client.get(MY_REPORTS)
    budget = len(one)
    for _ in range(10):
        client.post(form_page.url, {**answers, "submission_key": str(uuid.uuid4())})
    with django_assert_max_num_queries(budget):
        page = client.get(MY_REPORTS).content.decode()
    assert len(re.findall(r"<td>[A-Z0-9]+-\d{6}</td>", page)) == 11


def test_a_number_question_can_be_answered(verified_client, staff, form_page, answers):
    from forms.models import ConcernFormField

    ConcernFormField.objects.create(
        page=form_page, label="How many children saw it?", field_type="number"
    )
    answers["q_how_many_children_saw_it"] = "3"
    verified_client(staff).post(form_page.url, answers)
    assert Concern.objects.get().answers[-1]["answer"] == "3"


@pytest.mark.parametrize(
    "change",
    [
        {"pupil": ["²"], "pupil_role": ["subject"]},
        {"pupil": ["9" * 25], "pupil_role": ["subject"]},
        {"pupil_role": ["subject"]},  # two children, one role
    ],
)
def test_odd_children_rows_get_a_message_not_an_error(
    verified_client, staff, form_page, answers, change
):
    response = verified_client(staff).post(form_page.url, {**answers, **change})
    assert response.status_code == 200
    assert "nothing has been sent yet" in response.content.decode()
    assert not Concern.objects.exists()


def test_an_odd_confirmation_address_is_not_an_error(verified_client, staff, form_page):
    response = verified_client(staff).get(f"{form_page.url}?submitted=²")
    assert response.status_code == 200


def test_another_schools_category_cannot_be_used(
    verified_client, make_member, school, other_school, form_page, answers
):
    both = make_member(Role.STAFF)
    from accounts.services import membership_grant

    membership_grant(user=both, school=other_school, role=Role.STAFF)
    theirs = Term.objects.create(
        vocabulary=Vocabulary.CATEGORY,
        name="Only at the other school",
        definition="x",
        school=other_school,
    )
    answers["primary_category"] = theirs.pk
    page = verified_client(both).post(form_page.url, answers).content.decode()
    assert "another school" in page
    assert not Concern.objects.exists()


def test_a_dsl_elsewhere_cannot_record_on_behalf_here(
    verified_client, make_member, other_school, school, form_page, answers
):
    from accounts.services import membership_grant

    user = make_member(Role.STAFF)
    membership_grant(user=user, school=other_school, role=Role.DSL)
    answers["reported_by_name"] = "Somebody"
    page = verified_client(user).post(form_page.url, answers).content.decode()
    assert "Only the school" in page
    assert not Concern.objects.exists()


def test_an_impossible_category_id_is_a_clear_error_not_a_server_error(
    verified_client, staff, form_page, answers
):
    huge = "9" * 25
    client = verified_client(staff)
    for field in ("tags", "primary_category", "location"):
        response = client.post(form_page.url, {**answers, field: [huge]})
        assert response.status_code == 200, field
        assert "valid choice" in response.content.decode(), field
    assert not Concern.objects.exists()
