"""Who gets reports, and of what: staff and configurators none; a DSL their own
school's DSL-team concerns; a head those and the concerns about adults; a trust
lead both schools; another school's DSL nothing of this school."""

import pytest

from .conftest import PERIOD, REPORTS, figures

pytestmark = pytest.mark.django_db

PAGES = [
    REPORTS,
    REPORTS + "export.csv",
    REPORTS + "export.xlsx",
    REPORTS + "governors.pdf?term=Autumn+1+2026",
    REPORTS + "workflow/",
]


@pytest.mark.parametrize("who", ["staff", "configurator"])
def test_staff_and_configurators_are_refused_every_report(
    request, verified_client, seeded, who
):
    client = verified_client(request.getfixturevalue(who))
    for url in PAGES:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert not response.url.startswith(REPORTS), url
    assert client.post(REPORTS + "pins/", {"title": "Mine"}).status_code in (302, 403)
    menu = client.get("/admin/").content.decode()
    assert "/admin/safeguarding-reports/" not in menu


def test_signed_out_visitors_are_sent_to_sign_in(client, seeded):
    response = client.get(REPORTS)
    assert response.status_code == 302 and "login" in response.url


def test_dsl_sees_own_school_without_concerns_about_adults(report, seeded, dsl):
    response = report(dsl)
    assert figures(response, "totals")["Concerns"] == (3, 1)
    assert set(figures(response, "school")) == {"Brook Lane Primary (test)"}


def test_deputy_sees_the_same_as_the_dsl(report, seeded, deputy):
    assert figures(report(deputy), "totals")["Concerns"] == (3, 1)


def test_head_also_counts_concerns_about_adults(report, seeded, head):
    response = report(head)
    assert figures(response, "totals")["Concerns"] == (4, 1)  # + c5
    assert figures(response, "category")["Physical abuse"] == (2, 0)
    assert figures(response, "year_group")["Year 5"] == (3, 0)


def test_heads_see_aggregates_without_content(report, seeded, head):
    page = report(head).content.decode()
    assert "Synthetic: a worry noticed in class." not in page
    assert "Testchild" not in page  # no child's name
    tables = page.split('data-section="totals"', 1)[1].split("report-charts", 1)[0]
    assert "<a " not in tables  # nothing to drill into


def test_trust_lead_sees_both_schools_and_can_narrow_to_one(
    report, seeded, trust_lead, other_school
):
    response = report(trust_lead)
    assert figures(response, "school") == {
        "Brook Lane Primary (test)": (4, 1),
        "Far Hill Academy (test)": (1, 0),
    }
    narrowed = report(trust_lead, school=[other_school.pk])
    assert figures(narrowed, "totals")["Concerns"] == (1, 0)


def test_another_schools_dsl_sees_nothing_of_this_school(
    verified_client, report, seeded, other_dsl, school
):
    response = report(other_dsl)
    assert figures(response, "school") == {"Far Hill Academy (test)": (1, 0)}
    asked = verified_client(other_dsl).get(REPORTS, {**PERIOD, "school": school.pk})
    assert asked.status_code == 200
    assert "sections" not in asked.context
    assert "Choose from the schools you have reports for." in asked.content.decode()
    export = verified_client(other_dsl).get(
        REPORTS + "export.csv", {**PERIOD, "school": school.pk}
    )
    assert export.status_code == 302  # back to the form, nothing exported


def test_bad_dates_get_a_message_and_keep_what_was_typed(verified_client, dsl):
    response = verified_client(dsl).get(
        REPORTS, {"from": "2026-10-01", "to": "2026-09-01", "category": "nope"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The end date is before the start date." in page
    assert "Choose categories from the list." in page
    assert 'value="2026-10-01"' in page
    not_a_date = verified_client(dsl).get(REPORTS, {"from": "31/02/2026"})
    assert not_a_date.status_code == 200
    assert 'value="31/02/2026"' in not_a_date.content.decode()


def test_report_menu_for_the_roles_that_have_reports(verified_client, dsl, head):
    for user in (dsl, head):
        menu = verified_client(user).get("/admin/").content.decode()
        assert "/admin/safeguarding-reports/" in menu


def test_pinned_dashboards_are_per_user_and_a_double_pin_makes_one(
    verified_client, seeded, dsl, deputy
):
    from reports.models import PinnedReport

    client = verified_client(dsl)
    query = "from=2026-09-01&to=2026-10-31&category=1"
    for _ in range(2):
        response = client.post(
            REPORTS + "pins/", {"title": "Harassment this term", "query": query}
        )
        assert response.status_code == 302
    assert PinnedReport.objects.filter(user=dsl).count() == 1
    page = client.get(REPORTS).content.decode()
    assert "Harassment this term" in page
    pin = PinnedReport.objects.get(user=dsl)
    other = verified_client(deputy)
    assert "Harassment this term" not in other.get(REPORTS).content.decode()
    assert other.post(REPORTS + f"pins/{pin.pk}/delete/").status_code == 404
    client = verified_client(dsl)
    no_name = client.post(REPORTS + "pins/", {"title": " ", "query": query})
    assert no_name.status_code == 302
    assert client.post(REPORTS + f"pins/{pin.pk}/delete/").status_code == 302
    assert not PinnedReport.objects.filter(user=dsl).exists()


def test_workflow_health_counts_how_agencies_answer(verified_client, seeded, dsl):
    response = verified_client(dsl).get(REPORTS + "workflow/", PERIOD)
    assert response.status_code == 200
    agencies = {row["name"]: row for row in response.context["agencies"]}
    csc, police = agencies["Children's social care / MASH"], agencies["Police"]
    assert (csc["made"], csc["on_time"], csc["late"], csc["waiting"]) == (1, 1, 0, 0)
    assert (police["made"], police["waiting"], police["overdue"]) == (1, 1, 1)
    assert "steps" in response.context and "medians" in response.context
