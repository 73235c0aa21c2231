"""Every table of the report against counts worked out by hand from the seeded
concerns (tests/reports/conftest.py `seeded` lists them)."""

import pytest

from tests.builders import concern_row

from .conftest import category, figures

pytestmark = pytest.mark.django_db


def test_totals_compare_the_period_with_the_one_before(report, seeded, dsl):
    response = report(dsl)
    assert figures(response, "totals") == {
        "Concerns": (3, 1),  # c1 c2 c3 | c4
        "Reported as immediate risk": (1, 0),  # c2
    }
    params = response.context["params"]
    assert (str(params.previous.start), str(params.previous.end)) == (
        "2026-07-02",
        "2026-08-31",
    )


def test_categories_use_the_triaged_category_and_group_sub_categories(
    report, seeded, dsl
):
    response = report(dsl)
    assert figures(response, "category") == {
        "Child-on-child abuse": (1, 0),  # c1 (bullying)
        "Physical abuse": (1, 0),  # c2
        "Neglect": (1, 1),  # c3 triaged as neglect | c4
    }
    assert figures(response, "subcategory") == {
        "Child-on-child abuse › Bullying, including cyberbullying": (1, 0),
        "Physical abuse": (1, 0),
        "Neglect": (1, 1),
    }


def test_children_are_counted_by_their_role_year_sex_and_flags_then(
    report, seeded, dsl
):
    response = report(dsl)
    # P2 is only a witness to c1: not counted. c2 is about P1 and P3.
    assert figures(response, "year_group") == {"Year 5": (2, 0), "Year 6": (2, 1)}
    assert figures(response, "sex") == {"Female": (2, 0), "Male": (2, 1)}
    # SEND (P1): c1, c2. CIN: P3's ended 30 Sep, so c2 only; P2's began after c4.
    assert figures(response, "flag") == {
        "Child in need (CIN)": (1, 0),
        "SEND support": (2, 0),
    }


def test_where_and_when(report, seeded, dsl):
    response = report(dsl)
    assert figures(response, "location") == {
        "Classroom": (1, 0),
        "Online": (1, 0),
        "Playground": (1, 0),
        "Home": (0, 1),
    }
    weekdays = figures(response, "weekday")
    assert next(iter(weekdays)) == "Monday"
    assert {day: n for day, n in weekdays.items() if n != (0, 0)} == {
        "Monday": (1, 0),
        "Tuesday": (1, 0),
        "Thursday": (0, 1),
        "Saturday": (1, 0),
    }
    assert figures(response, "hour") == {
        "10:00–10:59": (1, 0),
        "21:00–21:59": (1, 0),
        "Not recorded": (1, 1),
    }


def test_decisions_and_referrals(report, seeded, dsl):
    response = report(dsl)
    assert figures(response, "decision") == {
        "No further action": (1, 0),
        "Monitor in school": (0, 1),
        "Refer to other agencies": (1, 0),
    }
    assert figures(response, "agency") == {
        "Children's social care / MASH": (1, 0),
        "Police": (1, 0),
    }
    assert figures(response, "agency_outcome") == {
        "No outcome recorded yet": (1, 0),
        "Accepted: assessment or investigation": (1, 0),
    }


def test_by_month(report, seeded, dsl):
    response = report(dsl)
    # Each month beside the month in the same place before: Jul and Aug 2026.
    assert figures(response, "over_time") == {"Sep 2026": (2, 0), "Oct 2026": (1, 1)}
    section = next(s for s in response.context["sections"] if s.key == "over_time")
    assert [row.previous_label for row in section.rows] == ["Jul 2026", "Aug 2026"]
    chart = response.context["charts"]["over_time"]
    assert (chart["type"], chart["current"], chart["previous"]) == (
        "line",
        [2, 1],
        [0, 1],
    )


def test_by_term_and_a_chosen_term_is_compared_with_the_term_before(
    report, seeded, dsl
):
    by_term = report(dsl, group="term", to="2026-11-30")
    # 1 Sep-30 Nov beside 2 Jun-31 Aug: Autumn 1 beside Summer 2 (c7 on 10 Jun),
    # and c4 (20 Aug) outside the terms before.
    assert figures(by_term, "over_time") == {
        "Autumn 1 2026": (3, 1),
        "Autumn 2 2026": (0, 0),
        "Outside term dates": (0, 1),
    }
    with_holidays = report(dsl, group="term", **{"from": "2026-08-01"})
    assert figures(with_holidays, "over_time") == {
        "Autumn 1 2026": (3, 1),  # | c7 in Summer 2 (1 May-31 Jul before)
        "Outside term dates": (1, 0),  # c4, 20 Aug
    }
    autumn = report(dsl, term="Autumn 1 2026", **{"from": "", "to": ""})
    params = autumn.context["params"]
    assert (str(params.period.start), str(params.period.end)) == (
        "2026-09-02",
        "2026-10-23",
    )
    assert params.previous.start.isoformat() == "2026-06-08"  # Summer 2
    assert figures(autumn, "totals")["Concerns"] == (3, 1)  # c1 c2 c3 | c7


def test_filter_by_category_takes_in_sub_categories(report, seeded, dsl):
    main = report(dsl, category=[category("child-on-child").pk])
    assert figures(main, "totals")["Concerns"] == (1, 0)  # c1 only: c3 is neglect now
    neglect = report(dsl, category=[category("neglect").pk])
    assert figures(neglect, "totals")["Concerns"] == (1, 1)
    assert figures(neglect, "location") == {"Online": (1, 0), "Home": (0, 1)}


def test_renames_merges_and_dfe_codes(report, seeded, dsl, school, staff):
    from datetime import date

    from taxonomy.models import Term, Vocabulary
    from taxonomy.services import term_merge

    physical = category("physical-abuse")
    physical.external_code = "PA"
    physical.name = "Physical harm"  # renamed after the concerns were recorded
    physical.save()
    neglect = category("neglect")
    neglect.external_code = "N"
    neglect.save()
    old = Term.objects.create(
        vocabulary=Vocabulary.CATEGORY,
        school=school,
        name="Hitting (old list)",
        definition="A child was hit.",
        external_code="PA",
    )
    concern_row(school=school, by=staff, category=old, on=date(2026, 9, 21))
    slapping = Term.objects.create(
        vocabulary=Vocabulary.CATEGORY,
        name="Slapping",
        definition="A child was slapped.",
    )
    concern_row(school=school, by=staff, category=slapping, on=date(2026, 9, 22))
    term_merge(source=slapping, into=physical)

    response = report(dsl)
    categories = figures(response, "category")
    assert categories["Physical harm"] == (2, 0)  # c2 and the merged "Slapping"
    assert categories["Hitting (old list)"] == (1, 0)
    assert "Slapping" not in categories
    assert figures(response, "dfe_code") == {
        "PA": (3, 0),  # c2, Slapping (merged), Hitting (same code)
        "N": (1, 1),  # c3 | c4
        "Not recorded": (1, 0),  # c1: bullying has no code, nor its main category
    }


def test_the_latest_triage_decides_the_category(report, seeded, dsl):
    """By cycle first, then time: a later triage of an earlier cycle does not
    override the re-triage."""
    from records.models import Triage

    for cycle, key in ((2, "sexual-harassment"), (1, "physical-abuse")):
        Triage.objects.create(
            concern=seeded["c3"],
            cycle=cycle,
            primary_category=category(key),
            primary_category_name=key,
            risk_level="low",
            risk_reason="Synthetic: looked at again.",
            triaged_by=dsl,
        )
    response = report(dsl)
    assert figures(response, "category") == {
        "Child-on-child abuse": (2, 0),  # c1, c3 (cycle 2: sexual harassment)
        "Physical abuse": (1, 0),  # c2
        "Neglect": (0, 1),  # c4
    }
    chosen = report(dsl, category=[category("child-on-child").pk])
    assert figures(chosen, "totals")["Concerns"] == (2, 0)
    neglect = report(dsl, category=[category("neglect").pk])
    assert figures(neglect, "totals")["Concerns"] == (0, 1)
