"""Reading a pupil roll exported from an MIS (SIMS, Arbor, Bromcom…) as CSV, as an
Excel workbook (.xlsx, records.roll.xlsx) or as a Common Transfer File (CTF XML,
records.roll.ctf): the first of the import's three steps (records.roll says all
three). Whatever the format, the file becomes rows of cells under headings, and
every row is checked by the same rules.

``roll_file_read`` reads the upload and checks every row on its own: the UPN, names,
dates, year group, flags, UPNs repeated in the file, and the model's own validation.
It returns a RollFile, plain data that the view keeps in the session between the
preview and the import: the uploaded file itself is never stored. It writes nothing.

To accept another MIS's heading, add it to COLUMNS; to read another date format, add
it to DATE_FORMATS.
"""

import codecs
import csv
import io
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import School
from taxonomy.models import Vocabulary
from taxonomy.selectors import terms_offered

from ..models import Pupil, Sex, YearGroup, upn_validator
from .ctf import ctf_read, looks_like_xml
from .xlsx import looks_like_xlsx, xlsx_records

MAX_BYTES = getattr(settings, "CHRONICLE_IMPORT_MAX_BYTES", 2 * 1024 * 1024)


@dataclass(frozen=True)
class Column:
    label: str
    headings: tuple  # normalised (letters and digits only), most specific first
    required: bool = False


# Pupil field -> the column that fills it. Headings are compared after dropping case,
# spaces and punctuation, so "Date of Birth", "date_of_birth" and "D.O.B." all match.
COLUMNS = {
    "upn": Column(gettext_lazy("UPN"), ("upn", "uniquepupilnumber"), required=True),
    "first_name": Column(
        gettext_lazy("Legal forename"),
        ("legalforename", "legalfirstname", "firstname", "forename", "givenname"),
        required=True,
    ),
    "last_name": Column(
        gettext_lazy("Legal surname"),
        ("legalsurname", "legallastname", "surname", "lastname", "familyname"),
        required=True,
    ),
    "preferred_name": Column(
        gettext_lazy("Preferred forename"),
        ("preferredforename", "preferredfirstname", "preferredname", "knownas"),
    ),
    "date_of_birth": Column(
        gettext_lazy("Date of birth"), ("dob", "dateofbirth", "birthdate"), True
    ),
    "year_group": Column(
        gettext_lazy("Year group"),
        ("yeargroup", "ncyear", "ncyearactual", "year", "yr"),
        required=True,
    ),
    "sex": Column(gettext_lazy("Sex"), ("sex", "gender")),
    "date_joined": Column(
        gettext_lazy("Date of admission"),
        ("dateofadmission", "admissiondate", "datejoined", "entrydate"),
    ),
    "date_left": Column(
        gettext_lazy("Date of leaving"),
        ("dateofleaving", "leavingdate", "dateleft", "leavedate"),
    ),
    "flags": Column(gettext_lazy("Profile flags"), ("profileflags", "flags")),
}
DATE_FIELDS = ("date_of_birth", "date_joined", "date_left")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
DELIMITERS = (",", ";", "\t")
FLAG_SEPARATORS = re.compile(r"[;|]")
YEAR_PREFIX = re.compile(r"^(nc\s*)?(year|yr|y)\s*")
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
SEXES = {"m": Sex.MALE, "male": Sex.MALE, "f": Sex.FEMALE, "female": Sex.FEMALE}


# What the file says: plain data, kept in the session between preview and import.


@dataclass
class FileRow:
    row: int  # as a spreadsheet numbers it: the headings are row 1
    upn: str
    name: str
    values: dict = field(default_factory=dict)  # field -> JSON-safe value
    flags: list = field(default_factory=list)  # ids of profile_flag terms
    errors: list = field(default_factory=list)  # {"field": …, "message": …}

    def error(self, field_name, message):
        self.errors.append({"field": field_name, "message": str(message)})

    def error_fields(self):
        return {error["field"] for error in self.errors}

    def python_values(self):
        return {
            name: date.fromisoformat(value) if name in DATE_FIELDS and value else value
            for name, value in self.values.items()
        }


class Format:
    CSV = "csv"
    XLSX = "xlsx"
    CTF = "ctf"


@dataclass
class RollFile:
    file_name: str
    columns: list  # the pupil fields the file has a column for
    ignored: list  # headings Chronicle doesn't use
    rows: list
    format: str = Format.CSV
    source: str = ""  # a CTF's sending school

    @classmethod
    def from_data(cls, data):
        return cls(**{**data, "rows": [FileRow(**row) for row in data["rows"]]})

    def as_data(self):
        return asdict(self)

    @property
    def error_count(self):
        return sum(1 for row in self.rows if row.errors)

    @property
    def upns(self):
        """Every UPN the file names, rows with errors included: a pupil in the file
        is never taken for a leaver because their row had a mistake."""
        return {row.upn for row in self.rows if row.upn}

    @property
    def upns_readable(self):
        return not any("upn" in row.error_fields() for row in self.rows)


# Reading the file


def roll_file_read(*, school: School, upload: UploadedFile) -> RollFile:
    """Read and check an uploaded CSV, .xlsx or CTF; raise ValidationError (a
    sentence a DSL can act on) when the file as a whole can't be used."""
    name = upload.name or _("the file")
    data = _contents(upload, name)
    lookup = _flag_lookup(school)
    source, notes = "", []
    if looks_like_xlsx(data):
        kind, records = Format.XLSX, xlsx_records(data=data, name=name)
    elif looks_like_xml(data):
        table = ctf_read(data=data, name=name, school=school, flag_keys=set(lookup))
        kind, records, source = Format.CTF, table.records, table.source
        notes = table.unused_flags
    else:
        text = _decode(_text_only(data, name), name)
        kind, records = Format.CSV, _records(text, name)
    if not records:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    columns, ignored = _columns(records[0][1], name)
    rows = [_read_row(number, cells, columns, lookup) for number, cells in records[1:]]
    if not rows:
        raise ValidationError(
            _("“%(name)s” has its headings but no pupils.") % {"name": name}
        )
    _mark_repeated_upns(rows)
    return RollFile(name, list(columns), ignored + notes, rows, kind, source)


def _contents(upload, name):
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; a roll file can be at most %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(MAX_BYTES),
            }
        )
    return upload.read()


def _text_only(data, name):
    binary = b"\x00" in data and not data.startswith(UTF16_BOMS)
    if binary or filetype.guess(data[:8192]) is not None:
        raise ValidationError(
            _(
                "“%(name)s” is not a CSV, Excel (.xlsx) or CTF file. In the MIS (or "
                "in Excel), export or save the list as “CSV UTF-8 (comma "
                "delimited)”, as an Excel workbook, or export a CTF, and upload that."
            )
            % {"name": name}
        )
    return data


def _decode(data, name):
    """UTF-8 with or without a byte-order mark, else Excel's Windows encoding; UTF-16
    when it says so (Excel's "Unicode text")."""
    encodings = ("utf-16",) if data.startswith(UTF16_BOMS) else ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        _(
            "“%(name)s” is in a text encoding Chronicle can't read. Save it as "
            "“CSV UTF-8” and upload it again."
        )
        % {"name": name}
    )


def _records(text, name):
    """[(row number, cells)] of a comma-, semicolon- or tab-separated text."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [
            (number, cells)
            for number, cells in enumerate(reader, start=1)
            if any(cell.strip() for cell in cells)
        ]
    except csv.Error as error:
        raise ValidationError(
            _("“%(name)s” can't be read as CSV near row %(row)d: %(error)s")
            % {"name": name, "row": reader.line_num, "error": error}
        ) from error


def _normalise_heading(heading):
    return re.sub(r"[^a-z0-9]", "", heading.lower())


def _columns(headings, name):
    """{pupil field: index of its column}, and the headings that aren't used."""
    index = {}
    for position, heading in enumerate(headings):
        index.setdefault(_normalise_heading(heading), position)
    columns = {}
    for field_name, column in COLUMNS.items():
        found = [index[h] for h in column.headings if h in index]
        if found:
            columns[field_name] = found[0]
    missing = [c.label for f, c in COLUMNS.items() if c.required and f not in columns]
    if missing:
        raise ValidationError(_missing_columns(name, missing, headings))
    used = set(columns.values())
    ignored = [h.strip() for i, h in enumerate(headings) if i not in used and h.strip()]
    return columns, ignored


def _missing_columns(name, missing, headings):
    return _(
        "“%(name)s” has no column for %(missing)s. Its headings are: %(headings)s. "
        "Chronicle looks for UPN, Legal forename (or First name, Forename), Legal "
        "surname (or Surname, Last name), Date of birth (or DOB) and Year group "
        "(or Year, NC year)."
    ) % {
        "name": name,
        "missing": ", ".join(str(label) for label in missing),
        "headings": ", ".join(h.strip() for h in headings if h.strip()) or "—",
    }


def _read_row(number, cells, columns, flag_lookup):
    cell = {f: cells[i].strip() if i < len(cells) else "" for f, i in columns.items()}
    row = FileRow(
        row=number,
        upn=cell["upn"].upper(),
        name=f"{cell['first_name']} {cell['last_name']}".strip(),
    )
    for field_name, raw in cell.items():
        try:
            _read_cell(row, field_name, raw, flag_lookup)
        except ValidationError as error:
            row.error(field_name, error.messages[0])
    _check_dates(row)
    _check_model(row)
    return row


def _read_cell(row, field_name, raw, flag_lookup):
    if field_name == "flags":
        row.flags = _flags(raw, flag_lookup)
        return
    value = READERS.get(field_name, _text)(raw, field_name)
    row.values[field_name] = value.isoformat() if isinstance(value, date) else value


def _upn(raw, field_name):
    upn = raw.upper()
    if not upn:
        raise ValidationError(_("The UPN is missing."))
    if len(upn) != 13:
        raise ValidationError(
            _("UPN %(upn)s is not 13 characters (it has %(count)d).")
            % {"upn": upn, "count": len(upn)}
        )
    if not upn_validator.regex.match(upn):
        raise ValidationError(
            _(
                "UPN %(upn)s is not a UPN: a capital letter, eleven digits, then a "
                "digit or a capital letter."
            )
            % {"upn": upn}
        )
    return upn


def _text(raw, field_name):
    if not raw and COLUMNS[field_name].required:
        raise ValidationError(
            _("%(column)s is missing.") % {"column": COLUMNS[field_name].label}
        )
    return raw


def _date(raw, field_name):
    if not raw:
        return _text(raw, field_name) or None
    text = re.sub(r"[ T]00:00(:00)?$", "", raw)  # a date that Excel gave a time
    for date_format_ in DATE_FORMATS:
        try:
            return datetime.strptime(text, date_format_).date()
        except ValueError:
            continue
    raise ValidationError(
        _("%(column)s '%(value)s' is not a date (write dd/mm/yyyy or yyyy-mm-dd).")
        % {"column": COLUMNS[field_name].label, "value": raw}
    )


def _year_group(raw, field_name):
    """ "Year 7", "Y7", "7", "R", "Reception", "N", "Nursery", "N2"…"""
    text = YEAR_PREFIX.sub("", raw.lower()).strip()
    if text in ("r", "rec", "reception"):
        return YearGroup.RECEPTION.value
    if text in ("n", "n1", "n2", "nursery"):
        return YearGroup.NURSERY.value
    if text.isascii() and text.isdigit() and str(int(text)) in YearGroup.values:
        return str(int(text))
    _text(raw, field_name)
    raise ValidationError(
        _("Year group '%(value)s' is not one Chronicle knows (N, R, or 1 to 13).")
        % {"value": raw}
    )


def _sex(raw, field_name):
    return SEXES.get(raw.lower(), Sex.UNKNOWN).value


READERS = {
    "upn": _upn,
    "date_of_birth": _date,
    "date_joined": _date,
    "date_left": _date,
    "year_group": _year_group,
    "sex": _sex,
}


def _flag_lookup(school):
    """{lower-case name, key, code or abbreviation in brackets: term id} of the
    school's profile flags in use: "CIN", "cin", "cp plan" and "Child in need (CIN)"
    all find the same flag."""
    lookup = {}
    for term in terms_offered(Vocabulary.PROFILE_FLAG, school=school):
        names = [term.name, term.key, term.external_code]
        names += re.findall(r"\(([^)]+)\)", term.name)
        for name in filter(None, names):
            lookup.setdefault(name.strip().lower(), term.pk)
    return lookup


def _flags(raw, lookup):
    ids, unknown = [], []
    for name in filter(None, (part.strip() for part in FLAG_SEPARATORS.split(raw))):
        term_id = lookup.get(name.lower()) or lookup.get(slugify(name))
        if term_id is None:
            unknown.append(name)
        elif term_id not in ids:
            ids.append(term_id)
    if unknown:
        raise ValidationError(
            _("%(flags)s: not one of this school's profile flags in use.")
            % {"flags": ", ".join(f"'{name}'" for name in unknown)}
        )
    return ids


def _check_dates(row):
    values = row.python_values()
    born, joined, left = (values.get(name) for name in DATE_FIELDS)
    if born and born > timezone.localdate():
        row.error("date_of_birth", _("The date of birth is in the future."))
    if born and joined and joined < born:
        row.error("date_joined", _("The date of admission is before the birth."))
    if joined and left and left < joined:
        row.error("date_left", _("The date of leaving is before the admission."))


def _check_model(row):
    """The model's own checks (lengths, choices) on what the file gives, so that a
    row the preview calls valid saves."""
    skip = {"school", *row.error_fields()}
    values = {k: v for k, v in row.python_values().items() if k not in skip}
    try:
        Pupil(**values).full_clean(
            exclude=[f.name for f in Pupil._meta.fields if f.name not in values],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            row.error(field_name, " ".join(messages))


def _mark_repeated_upns(rows):
    """Every row of a repeated UPN is an error: the file can't say which is right."""
    rows_of = defaultdict(list)
    for row in rows:
        if row.upn:
            rows_of[row.upn].append(row.row)
    for row in rows:
        others = [n for n in rows_of.get(row.upn, ()) if n != row.row]
        if others:
            row.error(
                "upn",
                ngettext(
                    "UPN %(upn)s is in the file more than once (also row %(rows)s).",
                    "UPN %(upn)s is in the file more than once (also rows %(rows)s).",
                    len(others),
                )
                % {"upn": row.upn, "rows": ", ".join(map(str, others))},
            )


def column_label(field_name: str) -> str:
    """The name a DSL knows a pupil field by: its column's, or the model's."""
    if field_name in COLUMNS:
        return str(COLUMNS[field_name].label)
    return str(Pupil._meta.get_field(field_name).verbose_name).capitalize()
