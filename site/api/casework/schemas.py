"""Casework response bodies (api.casework). References and identity only in the
lists; case content only in a concern's detail and a child's chronology, whose
every read is audited."""

from datetime import date, datetime, time

from ninja import Field, Schema

from ..schemas import School


class Page(Schema):
    next_cursor: str | None = Field(
        description="Send as ?cursor= for the next page; null on the last page."
    )


class Task(Schema):
    id: int
    reference: str = Field(description="The concern's (or transfer's) reference.")
    step: str
    step_label: str
    school: School
    status: str = Field(description="open or done")
    urgent: bool
    overdue: bool
    due_on: date | None
    assigned_to_me: bool
    assigned: bool
    created: datetime
    finished: datetime | None


class TaskPage(Page):
    items: list[Task]


class ConcernSummary(Schema):
    reference: str
    school: School
    status: str
    status_label: str
    route: str = Field(description="dsl_team, or head (a concern about an adult).")
    submitted_at: datetime
    occurred_on: date


class ConcernSummaryPage(Page):
    items: list[ConcernSummary]


class Child(Schema):
    pupil: int | None = Field(
        description="The child's id for /pupils/{id}/chronology; null when the "
        "reader may not open the child's file (a break-glass reader of one concern)."
    )
    name: str
    role: str
    role_label: str


class Step(Schema):
    id: int
    step: str
    step_label: str
    status: str
    assigned_to: str | None
    created: datetime
    finished: datetime | None


class ConcernDetail(ConcernSummary):
    form: str
    category: str
    also_about: list[str]
    location: str
    location_detail: str
    occurred_at: time | None
    what_happened: str
    child_voice: str
    child_voice_not_known: str
    immediate_risk: bool
    actions_taken: str
    children: list[Child]
    steps: list[Step]


class Entry(Schema):
    key: str
    kind: str
    kind_label: str
    at: datetime
    concern: str | None = Field(description="The reference of its concern, if any.")
    role: str
    category: str
    child_voice: str
    significant: bool
    text: str
    from_previous_school: bool


class ChronologyPage(Page):
    pupil: int
    name: str
    items: list[Entry]


class Period(Schema):
    start: date
    end: date


class ReportRow(Schema):
    label: str
    current: int | str = Field(
        description='A count, or "fewer than 5" / "not shown" (suppressed).'
    )
    previous: int | str


class ReportSection(Schema):
    key: str
    title: str
    rows: list[ReportRow]


class Report(Schema):
    period: Period
    previous: Period
    schools: list[School]
    suppressed_below: int
    sections: list[ReportSection]
