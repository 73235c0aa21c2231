"""What the roll endpoint answers: counts, and the rows that change or fail, named
by UPN and row (never the school's own copy of a child's details)."""

from ninja import Schema


class RollCounts(Schema):
    new: int
    updated: int
    unchanged: int
    error: int
    left: int
    flags: int


class RollRowError(Schema):
    column: str
    message: str


class RollRow(Schema):
    row: int
    upn: str
    status: str
    changed: list[str]
    flags_added: list[str]
    errors: list[RollRowError]


class RollPushOut(Schema):
    applied: bool
    format: str
    counts: RollCounts
    rows: list[RollRow]
    leavers: list[str]
