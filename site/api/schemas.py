"""The API's request and response bodies. Their JSON Schemas are the OpenAPI
document's components: change a field here and the published contract changes."""

import re
from datetime import date, datetime, time
from typing import Annotated, Literal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from records.body_map import MAX_MARKS, REGIONS, View
from records.body_map.validation import MAX_DESCRIPTION, MAX_WORDS
from records.models import AdultConcernKind, AdultRole, InvolvementRole

# NUL and the other C0 control characters but tab, line feed and carriage return:
# PostgreSQL can't store a NUL, an XLSX or PDF export can't hold the others, and
# nobody types them. The web strips them (chronicle.middleware); the API refuses
# them, naming the field, so a client learns its text is being mangled.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _printable(value):
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(text, str) and CONTROL_CHARACTERS.search(text) for text in texts):
        raise PydanticCustomError(
            "control_character",
            str(_("Remove the control character (such as NUL): it can't be stored.")),
        )
    return value


Role = Literal[tuple(InvolvementRole.values)]
MAX_ID = 2**63 - 1  # no row has a larger id: refuse it, don't send it to the database
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, AfterValidator(_printable)]
Answer = Annotated[
    str | int | float | bool | list[str] | None, AfterValidator(_printable)
]


class Problem(Schema):
    """Every error, as RFC 9457 problem details (application/problem+json): the
    status and its title, a sentence, and the messages for each field at fault.
    `errors` keys are field names ("location", "pupils.0.role", "answers.<name>");
    "__all__" holds what concerns the submission as a whole."""

    type: str = Field("about:blank", description="What kind of problem it is.")
    title: str = Field(description="The HTTP status's name.")
    status: int
    detail: str = Field(description="What happened, for a person to read.")
    errors: dict[str, list[str]] = Field(default_factory=dict)


class StrictInput(Schema):
    """A request body: a field it does not know is refused (422, naming it), never
    dropped: a misspelt `action_taken` must not lose what was written in it."""

    model_config = ConfigDict(extra="forbid")


class School(Schema):
    id: int
    name: str


class TokenInfo(Schema):
    user: str
    scopes: list[str]
    expires_at: datetime
    schools: list[School]


class FormSummary(Schema):
    id: int
    title: str
    send_to: str
    url: str | None = Field(description="The same form on the web.")


class Choice(Schema):
    value: str
    label: str


class FieldDefinition(Schema):
    """One question. `type` is one of: uuid, date, time, string, text, boolean,
    location, category, categories, pupils, choice, person, body_map (core); singleline,
    multiline, radio, dropdown, checkboxes, yesno, date, time, number (the form's
    own questions). The adult_* fields are sent as ConcernIn.adult."""

    name: str
    label: str
    type: str
    required: bool
    help_text: str = ""
    max_length: int | None = None
    choices: list[Choice] | None = None
    default: str | list[str] | None = None


class Category(Schema):
    id: int
    name: str
    definition: str
    children: list["Category"] = Field(default_factory=list)


class Location(Schema):
    id: int
    name: str


class BodyRegion(Schema):
    view: str
    region: str
    label: str = Field(description='As people read it: "left forearm, front".')


class FormDefinition(Schema):
    """Everything a client needs to render the form and send a concern back."""

    id: int
    title: str
    send_to: str
    guidance_html: str
    confirmation_html: str
    fields: list[FieldDefinition] = Field(
        description="The core questions, in the order the web form asks them."
    )
    questions: list[FieldDefinition] = Field(
        description="The form's own questions; answer them in `answers` by `name`."
    )
    categories: list[Category]
    locations: list[Location]
    involvement_roles: list[Choice]
    body_regions: list[BodyRegion] = Field(
        description="The parts of the body a `body_map` mark may name."
    )


class PupilOut(Schema):
    """Identity only, as the web form's type-ahead shows: never the file."""

    id: int
    name: str
    year_group: str
    school: str
    label: str


class PupilResults(Schema):
    results: list[PupilOut]


class InvolvementIn(StrictInput):
    pupil: Id = Field(description="A pupil id from /pupils.")
    role: Role


class AdultIn(StrictInput):
    """The adult a concern is about, for a form that goes to the case manager
    (`send_to` "head"): a member of staff by id (from the form's `adult_person`
    choices) or a name typed in, with the reporter's relationship to them."""

    kind: Literal[tuple(AdultConcernKind.values)]  # type: ignore[valid-type]
    role: Literal[tuple(AdultRole.values)]  # type: ignore[valid-type]
    person: Id | None = None
    name: Text = Field("", max_length=200)
    job_title: Text = Field("", max_length=200)
    relationship: Text = Field(max_length=200)
    school: Id | None = Field(
        None,
        description="The school it is about, when no pupil is named and the form "
        "takes more than one of your schools (a concern about an adult need not "
        "involve a child).",
    )


class BodyMarkIn(StrictInput):
    """One mark on the body map: where an injury was seen on the child the
    concern is about. `region` is one of the form definition's `body_regions`
    for that `view`; `x` and `y` (percent of the outline's width and height,
    both or neither) say where on the outline it was placed."""

    view: Literal[View.values]  # type: ignore[valid-type]
    region: Literal[tuple(r.code for r in REGIONS)]  # type: ignore[valid-type]
    x: float | None = Field(None, ge=0, le=100, allow_inf_nan=False)
    y: float | None = Field(None, ge=0, le=100, allow_inf_nan=False)
    description: Text = Field(min_length=1, max_length=MAX_DESCRIPTION)
    size: Text = Field("", max_length=MAX_WORDS)
    colour: Text = Field("", max_length=MAX_WORDS)

    @model_validator(mode="after")
    def _placed_or_not(self):
        if (self.x is None) != (self.y is None):
            raise ValueError(str(_("Give both x and y, or neither.")))
        return self


class ConcernIn(StrictInput):
    """A concern, as the web form would post it. `submission_key` is made by the
    client once per report (a UUID): sending it again returns the same record."""

    submission_key: UUID
    pupils: list[InvolvementIn] = Field(max_length=50)
    occurred_on: date
    occurred_at: time | None = None
    location: Id
    location_detail: Text = Field("", max_length=255)
    what_happened: Text
    child_voice: Text = ""
    child_voice_not_known: Text = ""
    primary_category: Id
    tags: list[Id] = Field(default_factory=list, max_length=100)
    immediate_risk: bool
    actions_taken: Text = ""
    reported_by_name: Text = Field(
        "",
        max_length=200,
        description="DSLs only: who made a paper report recorded on their behalf.",
    )
    answers: dict[str, Answer] = Field(
        default_factory=dict,
        description="The form's own questions, by `name`: a string, a number, true/"
        "false for yes/no, a list of strings for checkboxes.",
    )
    adult: AdultIn | None = Field(
        None,
        description="Required by a form whose concerns go to the case manager "
        '(send_to "head"): the adult the concern is about.',
    )
    body_map: list[BodyMarkIn] = Field(
        default_factory=list,
        max_length=MAX_MARKS,
        description="Where an injury was seen on the child the concern is about "
        "(the one pupil with role `subject`, or the only pupil).",
    )


class ConcernOut(Schema):
    """A reporter's view of their concern: where it is, not what the team wrote."""

    reference: str
    form: str
    submitted_at: datetime
    status: str
    status_label: str


class ConcernPage(Schema):
    count: int
    items: list[ConcernOut]
    next_cursor: str | None = Field(
        None, description="Send as ?cursor= for the next page; null on the last."
    )


class TaskCounts(Schema):
    """Open casework tasks. The team figures are null for someone in no team."""

    my_tasks: int
    my_tasks_urgent: int
    my_tasks_overdue: int
    team_queue: int | None
    team_queue_urgent: int | None
    team_queue_overdue: int | None
