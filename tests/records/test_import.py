"""Pupil import from an MIS CSV export: what a DSL sees in the preview, what the
import writes, and who may do it."""

import csv
import io
import re
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from accounts.services import membership_grant
from audit.models import ChainedLogEntry
from records import roll as roll_import
from records.models import Pupil, PupilFlag
from records.roll import views as roll_views
from taxonomy.models import Term, Vocabulary

from ..factories import PupilFactory

INDEX = "/admin/files/import/"
HEADINGS = ["UPN", "Legal forename", "Legal surname", "DOB", "Year", "Gender", "Flags"]


def upn(n):
    return f"A{n:011d}{n % 10}"


def pupil_row(n, **overrides):
    row = {
        "UPN": upn(n),
        "Legal forename": "Testchild",
        "Legal surname": f"Importee{n}",
        "DOB": "04/03/2016",
        "Year": "Year 4",
        "Gender": "F",
        "Flags": "",
    }
    return {**row, **overrides}


def csv_bytes(rows, headings=HEADINGS, delimiter=",", encoding="utf-8"):
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=headings, delimiter=delimiter, extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(data, name="roll.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def read(school, rows, **kwargs):
    return roll_import.roll_file_read(
        school=school, upload=upload(csv_bytes(rows, **kwargs))
    )


def run_import(school, rows, *, whole_roll=False, skip_errors=False, preview="t1"):
    roll = read(school, rows)
    return roll_import.import_apply(
        school=school,
        user=None,
        roll=roll,
        token=preview,
        whole_roll=whole_roll,
        skip_errors=skip_errors,
    )


def flag(key):
    return Term.objects.get(vocabulary=Vocabulary.PROFILE_FLAG, key=key)


def import_entries():
    return ChainedLogEntry.objects.filter(additional_data__event="pupil_import")


def errors_of(preview):
    return {
        row.source.row: [f"{e['column']}: {e['message']}" for e in row.errors]
        for row in preview.rows
        if row.errors
    }


# Reading the file and the preview


def test_the_preview_shows_what_would_change_and_writes_nothing(school):
    PupilFactory(school=school, upn=upn(1), last_name="Importee1", year_group="3")
    roll = read(school, [pupil_row(1, Flags="CIN"), pupil_row(2)])
    preview = roll_import.import_preview(school=school, roll=roll, whole_roll=False)

    first, second = preview.rows
    assert first.status == "updated"
    changes = [(c.label, c.before, c.after) for c in first.changes]
    assert ("Year group", "Year 3", "Year 4") in changes
    assert [str(term) for term in first.new_flags] == ["Child in need (CIN)"]
    assert second.status == "new"
    assert preview.counts["new"] == 1 and preview.counts["updated"] == 1
    assert Pupil.objects.count() == 1
    assert Pupil.objects.get().year_group == "3"
    assert not PupilFlag.objects.exists()
    assert not import_entries().exists()


def test_mis_variants_are_read(school):
    headings = [
        "Unique Pupil Number",
        "Forename",
        "Surname",
        "Preferred Name",
        "Date of Birth",
        "NC Year",
        "Sex",
        "Date of Admission",
        "Reg group",
    ]
    rows = [
        {
            "Unique Pupil Number": upn(1),
            "Forename": "Zoë",
            "Surname": "Ávila",
            "Preferred Name": "Zo",
            "Date of Birth": "2020-09-01",
            "NC Year": "R",
            "Sex": "Female",
            "Date of Admission": "01/09/2024",
            "Reg group": "RB",
        },
        {
            "Unique Pupil Number": upn(2).lower(),
            "Forename": "Testchild",
            "Surname": "Second",
            "Date of Birth": "1/9/2021",
            "NC Year": "Nursery",
            "Sex": "x",
        },
        {
            "Unique Pupil Number": upn(3),
            "Forename": "Testchild",
            "Surname": "Third",
            "Date of Birth": "01/09/2013 00:00",
            "NC Year": "Year 7",
            "Sex": "M",
        },
    ]
    data = csv_bytes(rows, headings, delimiter=";", encoding="cp1252")
    roll = roll_import.roll_file_read(school=school, upload=upload(data))

    assert roll.ignored == ["Reg group"]
    values = [row.values for row in roll.rows]
    assert not [row.errors for row in roll.rows if row.errors]
    assert values[0] == {
        "upn": upn(1),
        "first_name": "Zoë",
        "last_name": "Ávila",
        "preferred_name": "Zo",
        "date_of_birth": "2020-09-01",
        "year_group": "R",
        "sex": "F",
        "date_joined": "2024-09-01",
    }
    assert values[1]["upn"] == upn(2)
    assert (values[1]["year_group"], values[1]["sex"]) == ("N", "U")
    assert values[1]["date_of_birth"] == "2021-09-01"
    assert (values[2]["year_group"], values[2]["sex"]) == ("7", "M")


def test_utf8_with_a_byte_order_mark_is_read(school):
    data = "\ufeff".encode() + csv_bytes([pupil_row(1, **{"Legal surname": "Öz"})])
    roll = roll_import.roll_file_read(school=school, upload=upload(data))
    assert roll.rows[0].values["upn"] == upn(1)
    assert roll.rows[0].values["last_name"] == "Öz"


def test_excel_unicode_text_is_read(school):
    data = csv_bytes([pupil_row(1)], delimiter="\t", encoding="utf-16")
    roll = roll_import.roll_file_read(school=school, upload=upload(data, "roll.txt"))
    assert roll.rows[0].values["upn"] == upn(1) and not roll.error_count


def test_row_errors_name_the_row_the_column_and_what_is_wrong(school):
    rows = [
        pupil_row(1, UPN="A12345"),
        pupil_row(2, DOB="31/02/2015"),
        pupil_row(3, Year="Year 14"),
        pupil_row(4, Flags="CIN; Wizard"),
        pupil_row(5, UPN=upn(9)),
        pupil_row(6, UPN=upn(9)),
        pupil_row(7, **{"Legal forename": ""}),
        pupil_row(8, **{"Legal surname": "X" * 101}),
        pupil_row(10),
    ]
    preview = roll_import.import_preview(
        school=school, roll=read(school, rows), whole_roll=False
    )
    errors = errors_of(preview)

    assert errors[2] == ["UPN: UPN A12345 is not 13 characters (it has 6)."]
    assert errors[3] == [
        "Date of birth: Date of birth '31/02/2015' is not a date "
        "(write dd/mm/yyyy or yyyy-mm-dd)."
    ]
    assert "Year group 'Year 14' is not one Chronicle knows" in errors[4][0]
    assert errors[5] == [
        "Profile flags: 'Wizard': not one of this school's profile flags in use."
    ]
    assert errors[6] == [
        f"UPN: UPN {upn(9)} is in the file more than once (also row 7)."
    ]
    assert errors[7] == [
        f"UPN: UPN {upn(9)} is in the file more than once (also row 6)."
    ]
    assert errors[8] == ["Legal forename: Legal forename is missing."]
    assert errors[9][0].startswith("Legal surname: Ensure this value has at most 100")
    assert 10 not in errors
    assert preview.counts["error"] == 8 and preview.counts["new"] == 1


def test_the_preview_page_shows_row_errors_with_row_numbers(
    school, dsl, verified_client
):
    client = verified_client(dsl)
    response = post_file(
        client, school, csv_bytes([pupil_row(1), pupil_row(2, DOB="31/02/2015")])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-row="3" data-status="error"' in page
    assert "Date of birth &#x27;31/02/2015&#x27; is not a date" in page
    assert "Import the valid rows, skip the rows with errors" in page
    assert not Pupil.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "roll.csv", "The submitted file is empty."),
        (b"\n\n", "roll.csv", "“roll.csv” is empty."),
        (
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
            "roll.csv",
            "“roll.csv” is not a CSV, Excel (.xlsx) or CTF file.",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40,
            "roll.xlsx",
            "“roll.xlsx” can't be read as an Excel workbook (.xlsx).",
        ),
        (
            b"UPN,Surname\n\x81\x8d\x8f\x90,\x9d\n",
            "roll.csv",
            "is in a text encoding Chronicle can't read",
        ),
        (
            b"Name,Legal forename,Legal surname,DOB,Year\nx,a,b,01/01/2016,4\n",
            "roll.csv",
            "“roll.csv” has no column for UPN. Its headings are: Name, Legal "
            "forename, Legal surname, DOB, Year.",
        ),
        (
            ",".join(HEADINGS).encode() + b"\n,,,,,,\n",
            "roll.csv",
            "“roll.csv” has its headings but no pupils.",
        ),
    ],
)
def test_a_file_that_cant_be_used_gets_a_clear_message(
    school, dsl, verified_client, data, name, message
):
    response = post_file(verified_client(dsl), school, data, name=name)
    assert response.status_code == 200
    assert message in text_of(response)
    assert not Pupil.objects.exists()


def test_a_file_over_the_size_limit_is_refused(school, dsl, verified_client):
    data = csv_bytes([pupil_row(1)]) + b" " * roll_import.MAX_BYTES
    response = post_file(verified_client(dsl), school, data)
    assert "a roll file can be at most 2.0" in text_of(response)
    assert not Pupil.objects.exists()


# Importing


def test_import_creates_the_pupils_with_their_flags(school):
    result = run_import(school, [pupil_row(1, Flags="CIN | cp plan"), pupil_row(2)])

    assert (result.created, result.updated, result.flags_added) == (2, 0, 2)
    pupil = Pupil.objects.get(upn=upn(1))
    assert (pupil.first_name, pupil.last_name) == ("Testchild", "Importee1")
    assert pupil.date_of_birth == date(2016, 3, 4)
    assert (pupil.year_group, pupil.sex, pupil.school) == ("4", "F", school)
    flags = pupil.flags.order_by("flag_name")
    assert [f.flag_name for f in flags] == [
        "Child in need (CIN)",
        "Child protection plan",
    ]
    assert {f.starts_on for f in flags} == {timezone.localdate()}
    assert all(f.ends_on is None for f in flags)


def test_re_import_updates_and_does_not_duplicate(school):
    run_import(school, [pupil_row(1), pupil_row(2)], preview="first")
    result = run_import(
        school, [pupil_row(1, Year="5"), pupil_row(2)], preview="second"
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Pupil.objects.count() == 2
    assert Pupil.objects.get(upn=upn(1)).year_group == "5"


def test_flags_already_current_are_not_added_again_and_none_are_removed(school):
    pupil = PupilFactory(school=school, upn=upn(1))
    ended = PupilFlag.objects.create(
        pupil=pupil,
        flag=flag("early-help"),
        flag_name="Early help",
        starts_on=date(2020, 1, 1),
        ends_on=date(2021, 1, 1),
    )
    PupilFlag.objects.create(
        pupil=pupil,
        flag=flag("cin"),
        flag_name="Child in need (CIN)",
        starts_on=date(2024, 1, 1),
    )
    result = run_import(school, [pupil_row(1, Flags="CIN;Early help")])

    assert result.flags_added == 1
    assert pupil.flags.filter(flag=flag("cin")).count() == 1
    assert pupil.flags.filter(flag=flag("early-help")).count() == 2
    assert PupilFlag.objects.filter(pk=ended.pk).exists()
    run_import(school, [pupil_row(1, Flags="")], preview="again")
    assert pupil.flags.count() == 3


def test_leavers_are_marked_only_when_the_file_is_the_whole_roll(school):
    staying = PupilFactory(school=school, upn=upn(1))
    leaving = PupilFactory(school=school, upn=upn(2))
    run_import(school, [pupil_row(1)], preview="partial")
    leaving.refresh_from_db()
    assert leaving.on_roll

    roll = read(school, [pupil_row(1)])
    preview = roll_import.import_preview(school=school, roll=roll, whole_roll=True)
    assert preview.leavers == [leaving]
    result = run_import(school, [pupil_row(1)], whole_roll=True, preview="whole")

    assert result.left == 1
    leaving.refresh_from_db()
    staying.refresh_from_db()
    assert leaving.date_left == timezone.localdate()
    assert staying.on_roll
    assert Pupil.objects.count() == 2  # marked, not deleted


def test_a_whole_roll_file_brings_a_listed_leaver_back_on_roll(school):
    back = PupilFactory(school=school, upn=upn(1), date_left=date(2024, 7, 19))
    run_import(school, [pupil_row(1)], whole_roll=True)
    back.refresh_from_db()
    assert back.on_roll


def test_a_pupil_whose_row_has_an_error_is_not_taken_for_a_leaver(school):
    PupilFactory(school=school, upn=upn(1))
    roll = read(school, [pupil_row(1, DOB="someday"), pupil_row(2)])
    preview = roll_import.import_preview(school=school, roll=roll, whole_roll=True)
    assert preview.leavers == []


def test_no_leavers_while_a_upn_cant_be_read(school):
    PupilFactory(school=school, upn=upn(1))
    roll = read(school, [pupil_row(2), pupil_row(3, UPN="")])
    preview = roll_import.import_preview(school=school, roll=roll, whole_roll=True)
    assert preview.leavers_blocked and preview.leavers == []


def test_rows_with_errors_stop_the_import_unless_the_dsl_skips_them(school):
    rows = [pupil_row(1), pupil_row(2, DOB="31/02/2015")]
    with pytest.raises(ValidationError):
        run_import(school, rows)
    assert not Pupil.objects.exists()

    result = run_import(school, rows, skip_errors=True, preview="skip")
    assert (result.created, result.skipped) == (1, 1)
    assert list(Pupil.objects.values_list("upn", flat=True)) == [upn(1)]


def test_one_failure_rolls_back_the_whole_import(school, monkeypatch):
    original = PupilFlag.save

    def fail_on_the_second_pupil(flag, *args, **kwargs):
        if flag.pupil.upn == upn(2):
            raise RuntimeError("disk full")
        return original(flag, *args, **kwargs)

    monkeypatch.setattr(PupilFlag, "save", fail_on_the_second_pupil)
    with pytest.raises(RuntimeError):
        run_import(school, [pupil_row(1, Flags="CIN"), pupil_row(2, Flags="CIN")])
    assert not Pupil.objects.exists()
    assert not PupilFlag.objects.exists()
    assert not import_entries().exists()


def test_the_import_is_in_the_audit_log_with_its_counts(school):
    PupilFactory(school=school, upn=upn(9))
    run_import(school, [pupil_row(1, Flags="CIN"), pupil_row(2)], whole_roll=True)
    entry = import_entries().get()
    assert entry.object_pk == str(school.pk)
    assert entry.action == ChainedLogEntry.Action.ACCESS
    data = entry.additional_data
    assert (data["created"], data["left"], data["flags_added"]) == (2, 1, 1)
    assert data["file_name"] == "roll.csv" and data["whole_roll"] is True


def test_the_same_preview_imports_once(school):
    run_import(school, [pupil_row(1, Flags="CIN")], preview="once")
    with pytest.raises(roll_import.ImportAlreadyDone):
        run_import(school, [pupil_row(1, Flags="CIN")], preview="once")
    assert import_entries().count() == 1


# The pages


def post_file(client, school, data, name="roll.csv", whole_roll=False):
    form = {"file": upload(data, name)}
    if whole_roll:
        form["whole_roll"] = "on"
    return client.post(f"{INDEX}{school.pk}/", form, follow=True)


def text_of(response):
    return re.sub(r"&#x27;|&quot;", "'", response.content.decode())


def preview_url(response):
    return response.redirect_chain[-1][0]


def test_the_dsl_uploads_previews_and_imports(school, dsl, verified_client):
    client = verified_client(dsl)
    assert client.get(INDEX).url == f"{INDEX}{school.pk}/"
    PupilFactory(school=school, upn=upn(9))
    response = post_file(
        client, school, csv_bytes([pupil_row(1, Flags="CIN")]), whole_roll=True
    )
    page = response.content.decode()
    assert 'data-row="2" data-status="new"' in page
    assert "Flags are never removed by an import" in page
    assert upn(9) in page  # listed as a leaver
    assert not Pupil.objects.filter(upn=upn(1)).exists()

    done = client.post(preview_url(response), follow=True)
    message = [str(m) for m in get_messages(done.wsgi_request)]
    assert message == [
        "Import done: 1 new pupils, 0 updated, 0 unchanged, 1 marked as left, "
        "1 profile flags added."
    ]
    assert Pupil.objects.get(upn=upn(1)).flags.get().recorded_by == dsl
    assert not Pupil.objects.get(upn=upn(9)).on_roll
    assert import_entries().get().actor == dsl


def test_a_double_submit_imports_once(school, dsl, verified_client):
    client = verified_client(dsl)
    response = post_file(client, school, csv_bytes([pupil_row(1, Flags="CIN")]))
    url = preview_url(response)
    client.post(url)
    again = client.post(url, follow=True)
    assert "expired or its file was already imported" in text_of(again)
    assert Pupil.objects.count() == 1 and PupilFlag.objects.count() == 1
    assert import_entries().count() == 1


def test_the_import_button_needs_the_skip_choice_when_rows_have_errors(
    school, dsl, verified_client
):
    client = verified_client(dsl)
    rows = [pupil_row(1), pupil_row(2, DOB="31/02/2015")]
    url = preview_url(post_file(client, school, csv_bytes(rows)))
    refused = client.post(url)
    assert "Some rows have errors" in text_of(refused)
    assert not Pupil.objects.exists()
    client.post(url, {"skip_errors": "on"})
    assert list(Pupil.objects.values_list("upn", flat=True)) == [upn(1)]


def test_an_expired_preview_asks_for_the_file_again(
    school, dsl, verified_client, monkeypatch
):
    client = verified_client(dsl)
    monkeypatch.setattr(roll_views, "PREVIEW_LIFETIME", -1)
    response = post_file(client, school, csv_bytes([pupil_row(1)]))
    assert "That preview has expired" in text_of(response)
    preview = response.redirect_chain[0][0]
    assert "/preview/" in preview
    response = client.post(preview, follow=True)
    assert "That preview has expired" in text_of(response)
    assert not Pupil.objects.exists()


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEAD, Role.CONFIGURATOR])
def test_other_roles_are_refused(school, dsl, make_member, verified_client, role):
    url = preview_url(
        post_file(verified_client(dsl), school, csv_bytes([pupil_row(1)]))
    )
    client = verified_client(make_member(role))
    assert client.get(INDEX).status_code == 404
    assert client.get(f"{INDEX}{school.pk}/").status_code == 404
    response = client.post(
        f"{INDEX}{school.pk}/", {"file": upload(csv_bytes([pupil_row(1)]))}
    )
    assert response.status_code == 404
    assert client.post(url).status_code == 404
    assert not Pupil.objects.exists()


def test_a_dsl_of_another_school_is_refused(
    school, other_school, make_member, verified_client
):
    client = verified_client(make_member(Role.DSL, at=other_school))
    assert client.get(INDEX).url == f"{INDEX}{other_school.pk}/"
    assert client.get(f"{INDEX}{school.pk}/").status_code == 404
    response = client.post(
        f"{INDEX}{school.pk}/", {"file": upload(csv_bytes([pupil_row(1)]))}
    )
    assert response.status_code == 404
    assert not Pupil.objects.exists()


def test_a_deputy_with_two_schools_picks_the_school(
    school, other_school, make_member, verified_client
):
    deputy = make_member(Role.DEPUTY_DSL)
    membership_grant(user=deputy, school=other_school, role=Role.DSL)
    client = verified_client(deputy)
    page = client.get(INDEX).content.decode()
    assert school.name in page and other_school.name in page
    response = post_file(client, other_school, csv_bytes([pupil_row(1)]))
    client.post(preview_url(response))
    assert Pupil.objects.get().school == other_school


# Query budget


def test_preview_and_import_of_200_rows_stay_within_a_query_budget(
    school, django_assert_max_num_queries
):
    rows = [pupil_row(n, Flags="CIN") for n in range(1, 201)]
    roll = read(school, rows)
    with django_assert_max_num_queries(5):  # the roll, the flags held, the terms
        roll_import.import_preview(school=school, roll=roll, whole_roll=True)
    # Reads are one query each for the whole file. Each new pupil and each new flag
    # is one INSERT plus its hash-chained audit entry (savepoint, last hash, insert,
    # release; PostgreSQL also takes the chain's advisory lock): nothing more.
    audit = 5 if connection.vendor == "postgresql" else 4
    with django_assert_max_num_queries(200 * 2 * (1 + audit) + 15):
        roll_import.import_apply(
            school=school, user=None, roll=roll, token="new", whole_roll=True
        )
    with django_assert_max_num_queries(15):  # nothing changed: nothing written
        roll_import.import_apply(
            school=school, user=None, roll=roll, token="same", whole_roll=True
        )
    # An update also reads the old row, for the audit entry's changes.
    moved_up = read(school, [pupil_row(n, Year="5") for n in range(1, 201)])
    with django_assert_max_num_queries(200 * (2 + audit) + 15):
        roll_import.import_apply(
            school=school, user=None, roll=moved_up, token="up", whole_roll=True
        )
    assert Pupil.objects.count() == 200 and PupilFlag.objects.count() == 200
    assert set(Pupil.objects.values_list("year_group", flat=True)) == {"5"}
