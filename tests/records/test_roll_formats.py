"""The roll from the MIS in its own formats: a Common Transfer File (CTF XML) and an
Excel workbook, beside CSV (tests/records/test_import.py). The CTF fixtures in
tests/records/ctf/ are synthetic: no real school or child."""

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from records import roll
from records.models import Pupil
from records.roll import views as roll_views
from taxonomy.models import Term, Vocabulary

from ..factories import PupilFactory

FIXTURES = Path(__file__).parent / "ctf"
INDEX = "/admin/files/import/"
AMBER, BRAM, CLEO, DEV, ESME = (
    "X823200026001",
    "L823200026002",
    "A823200026003",
    "P823200026004",
    "D823200026005",
)


@pytest.fixture
def school(school):
    school.dfe_number = "8232000"
    school.save()
    return school


def ctf(name):
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes())


def preview_of(school, upload, *, whole_roll=False):
    file = roll.roll_file_read(school=school, upload=upload)
    return file, roll.import_preview(school=school, roll=file, whole_roll=whole_roll)


def apply(school, upload, *, whole_roll=False, token="t1"):  # noqa: S107
    file = roll.roll_file_read(school=school, upload=upload)
    return roll.import_apply(
        school=school, user=None, roll=file, token=token, whole_roll=whole_roll
    )


def flag_keys(upn):
    return set(Pupil.objects.get(upn=upn).flags.values_list("flag__key", flat=True))


# A CTF: the dry run, then the import


def test_a_new_roll_from_a_ctf_is_previewed_then_imported_with_its_flags(school):
    file, preview = preview_of(school, ctf("new_roll.xml"))

    assert file.format == "ctf"
    assert file.source == "Brook Lane Primary (test) (8232000)"
    assert preview.counts["new"] == 4
    assert preview.counts["flags"] == 2  # the EHC plan and looked after
    assert not Pupil.objects.exists()  # the dry run wrote nothing

    result = apply(school, ctf("new_roll.xml"))

    assert result.created == 4
    amber = Pupil.objects.get(upn=AMBER)
    assert (amber.first_name, amber.preferred_name, amber.last_name) == (
        "Amberly",
        "Amber",
        "Testwell",
    )
    assert (amber.date_of_birth, amber.year_group, amber.sex) == (
        date(2016, 3, 4),
        "5",
        "F",
    )
    assert Pupil.objects.get(upn=CLEO).year_group == "R"
    assert flag_keys(AMBER) == {"ehcp"}
    assert flag_keys(BRAM) == {"looked-after"}
    assert flag_keys(DEV) == set()  # his SEN record closed in 2025


def test_fsm_becomes_a_flag_only_where_the_school_uses_one(school):
    file, _preview = preview_of(school, ctf("new_roll.xml"))
    assert file.ignored == ["Free school meals (FSM)"]

    Term.objects.create(
        vocabulary=Vocabulary.PROFILE_FLAG, name="Free school meals (FSM)", key="fsm"
    )
    apply(school, ctf("new_roll.xml"))

    assert flag_keys(CLEO) == {"fsm"}


def test_a_second_ctf_shows_changes_and_leavers_before_marking_them(school):
    apply(school, ctf("new_roll.xml"))

    _file, preview = preview_of(school, ctf("changes.xml"), whole_roll=True)

    by_upn = {row.source.upn: row for row in preview.rows}
    assert by_upn[BRAM].status == "updated"
    assert [(c.before, c.after) for c in by_upn[BRAM].changes] == [
        ("Samplefield", "Samplefield-Oak")
    ]
    assert by_upn[ESME].status == "new"
    assert by_upn[AMBER].status == "unchanged"
    assert [p.upn for p in preview.leavers] == [DEV]
    assert Pupil.objects.get(upn=DEV).on_roll  # nothing written yet

    result = apply(school, ctf("changes.xml"), whole_roll=True, token="t2")

    assert (result.created, result.updated, result.left) == (1, 1, 1)
    dev = Pupil.objects.get(upn=DEV)  # kept, never deleted
    assert dev.date_left == timezone.localdate()
    assert flag_keys(ESME) == {"send"}


def test_the_same_ctf_twice_changes_nothing(school):
    apply(school, ctf("new_roll.xml"), whole_roll=True)
    before = list(Pupil.objects.values().order_by("pk"))

    result = apply(school, ctf("new_roll.xml"), whole_roll=True, token="t2")

    assert (result.created, result.updated, result.left, result.flags_added) == (
        0,
        0,
        0,
        0,
    )
    assert result.unchanged == 4
    assert list(Pupil.objects.values().order_by("pk")) == before


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        (
            "other_school.xml",
            "“other_school.xml” is a CTF for another school (DfE number 8234001), "
            "not for Brook Lane Primary (test) (8232000): nothing was read.",
        ),
        (
            "malformed.xml",
            "“malformed.xml” is not well-formed XML (unclosed token: line 45, "
            "column 12): nothing was read.",
        ),
        (
            "entities.xml",
            "“entities.xml” declares a DTD or entities, which a CTF never does",
        ),
    ],
)
def test_a_ctf_that_cant_be_used_is_refused_with_a_clear_message(
    school, fixture, message
):
    with pytest.raises(ValidationError) as refused:
        roll.roll_file_read(school=school, upload=ctf(fixture))

    assert message in refused.value.messages[0]
    assert not Pupil.objects.exists()


def test_a_school_with_no_dfe_number_is_told_what_to_record(school):
    school.dfe_number = ""
    school.save()

    with pytest.raises(ValidationError) as refused:
        roll.roll_file_read(school=school, upload=ctf("new_roll.xml"))

    assert "Chronicle has no DfE number for this school" in refused.value.messages[0]


def test_a_ctf_addressed_by_urn_is_accepted(school):
    data = (FIXTURES / "other_school.xml").read_text()
    data = data.replace(
        "<Estab>4001</Estab>\n    </DestSchool>",
        f"<Estab>2000</Estab>\n      <URN>{school.urn}</URN>\n    </DestSchool>",
    )
    assert f"<URN>{school.urn}</URN>" in data
    school.dfe_number = ""
    school.save()

    file = roll.roll_file_read(
        school=school, upload=SimpleUploadedFile("roll.xml", data.encode())
    )

    assert len(file.rows) == 4


# A CTF as an MIS writes it: every section of the published structure, read or not


def test_a_ctf_as_an_mis_writes_it_is_read_and_the_rest_passed_over(school):
    Term.objects.create(
        vocabulary=Vocabulary.PROFILE_FLAG, name="Free school meals (FSM)", key="fsm"
    )
    file, preview = preview_of(school, ctf("mis_export.xml"))

    assert file.source == "Brook Lane Primary (test) (8232000)"
    assert preview.counts["new"] == 2
    assert not Pupil.objects.exists()

    apply(school, ctf("mis_export.xml"))

    hattie = Pupil.objects.get(upn="H823200026011")
    assert (
        hattie.first_name,
        hattie.preferred_name,
        hattie.last_name,
        hattie.date_of_birth,
        hattie.year_group,
        hattie.sex,
    ) == ("Harriet", "Hattie", "Exampleton", date(2016, 10, 12), "5", "F")
    # SEN support from 2022, an EHC plan from 2025: the latest entry is what she
    # has now. Not in care (InCare false); her free school meals ended in 2025.
    assert flag_keys("H823200026011") == {"ehcp"}
    jasper = Pupil.objects.get(upn="J823200026012")
    assert (jasper.first_name, jasper.year_group, jasper.sex) == ("Jasper", "3", "M")
    assert flag_keys("J823200026012") == {"looked-after", "fsm"}


def test_a_later_sen_entry_with_no_provision_ends_the_one_before(school):
    data = (FIXTURES / "mis_export.xml").read_text()
    data = data.replace(
        "<SENprovision>E</SENprovision>", "<SENprovision>N</SENprovision>"
    )

    apply(school, SimpleUploadedFile("roll.xml", data.encode()))

    assert flag_keys("H823200026011") == set()


def test_an_sen_entry_that_starts_after_today_is_not_yet_a_flag(school):
    data = (FIXTURES / "mis_export.xml").read_text()
    data = data.replace(
        "<StartDate>2025-03-03</StartDate>", "<StartDate>2099-09-01</StartDate>"
    )

    apply(school, SimpleUploadedFile("roll.xml", data.encode()))

    assert flag_keys("H823200026011") == {"send"}  # still SEN support today


def test_the_first_fixtures_older_shape_is_still_read(school):
    """Before the structure was checked, the fixtures put an EndDate on an SEN entry
    and PreferredForename and InCare directly under Pupil. Still read: harmless."""
    data = (FIXTURES / "new_roll.xml").read_text()
    data = (
        data.replace(
            """        <SEN>
          <StartDate>2021-09-06</StartDate>
          <SENprovision>K</SENprovision>
        </SEN>
        <SEN>
          <StartDate>2025-07-18</StartDate>
          <SENprovision>N</SENprovision>
        </SEN>""",
            """        <SEN>
          <StartDate>2021-09-06</StartDate>
          <EndDate>2025-07-18</EndDate>
          <SENprovision>K</SENprovision>
        </SEN>""",
        )
        .replace(
            """      <LookedAfter>
        <InCare>true</InCare>
        <CareAuthority>823</CareAuthority>
      </LookedAfter>""",
            "      <InCare>true</InCare>",
        )
        .replace(
            """      <BasicDetails>
        <PreferredForename>Amber</PreferredForename>""",
            """      <PreferredForename>Amber</PreferredForename>
      <BasicDetails>""",
        )
    )
    assert "<EndDate>" in data and "<LookedAfter>" not in data

    apply(school, SimpleUploadedFile("roll.xml", data.encode()))

    assert Pupil.objects.get(upn=AMBER).preferred_name == "Amber"
    assert flag_keys(BRAM) == {"looked-after"}
    assert flag_keys(DEV) == set()


def test_an_admissions_transfer_file_is_refused_for_what_it_is(school):
    upload = SimpleUploadedFile(
        "applicants.xml",
        b"<?xml version='1.0'?><ATfile><Header/><ATFpupilData/></ATfile>",
    )

    with pytest.raises(ValidationError, match="admissions transfer file"):
        roll.roll_file_read(school=school, upload=upload)


def test_xml_that_is_not_a_ctf_is_refused(school):
    upload = SimpleUploadedFile("roll.xml", b"<?xml version='1.0'?><pupils/>")

    with pytest.raises(ValidationError, match="not a Common Transfer File"):
        roll.roll_file_read(school=school, upload=upload)


# An Excel workbook


def workbook(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("roll.xlsx", out.getvalue())


def test_an_excel_workbook_is_read_like_a_csv(school):
    rows = [
        ["UPN", "Forename", "Surname", "DOB", "NC Year", "Gender", "Flags"],
        [AMBER, "Amberly", "Testwell", date(2016, 3, 4), 5, "Female", "EHC plan"],
        [BRAM, "Bram", "Samplefield", "20/11/2017", "Year 4", "M", ""],
    ]

    file, preview = preview_of(school, workbook(rows))

    assert file.format == "xlsx"
    assert preview.counts["new"] == 2
    apply(school, workbook(rows))
    amber = Pupil.objects.get(upn=AMBER)
    assert (amber.date_of_birth, amber.year_group, amber.sex) == (
        date(2016, 3, 4),
        "5",
        "F",
    )
    assert flag_keys(AMBER) == {"ehcp"}


def test_an_excel_row_with_a_mistake_is_an_error_row(school):
    upload = workbook(
        [
            ["UPN", "Forename", "Surname", "DOB", "Year"],
            ["A12345", "Amberly", "Testwell", date(2016, 3, 4), 5],
        ]
    )

    _file, preview = preview_of(school, upload)

    assert preview.rows[0].status == "error"
    assert "is not 13 characters" in preview.rows[0].errors[0]["message"]


def test_a_broken_workbook_gets_a_clear_message(school):
    upload = SimpleUploadedFile("roll.xlsx", b"PK\x03\x04" + b"\x00" * 40)

    with pytest.raises(ValidationError, match="can't be read as an Excel workbook"):
        roll.roll_file_read(school=school, upload=upload)


# The page


def test_the_preview_puts_the_decision_first_and_pages_the_rows(
    school, dsl, verified_client, monkeypatch
):
    monkeypatch.setattr(roll_views, "ROWS_PER_PAGE", 2)
    PupilFactory(school=school, upn=DEV, last_name="Fakenham")
    client = verified_client(dsl)

    response = client.post(
        f"{INDEX}{school.pk}/",
        {"file": ctf("changes.xml"), "whole_roll": "on"},
        follow=True,
    )

    page = response.content.decode()
    assert "A Common Transfer File from Brook Lane Primary (test) (8232000)" in page
    assert page.index("data-import-decision") < page.index("data-import-rows")
    assert "Importing marks 1 pupil on roll as left today" in page
    assert page.count("data-status=") == 2
    assert 'data-pages="page"' in page
    url = response.redirect_chain[-1][0]
    second = client.get(f"{url}?page=2&leavers=1").content.decode()
    assert second.count("data-status=") == 2
    assert DEV in page  # the leaver, listed before anything is written
    assert Pupil.objects.filter(school=school).count() == 1
