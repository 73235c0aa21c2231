"""The date-time field for notes (chronicle.fields.LocalDateTimeField) accepts the
hour the clocks change in London: a DSL writing a note at 01:30 on the night the
clocks go back is not told her time "may be ambiguous"."""

from datetime import UTC, datetime

import pytest
from django import forms

from chronicle.fields import LocalDateTimeField


@pytest.mark.parametrize(
    "typed, meant",
    [
        # 25 Oct 2026: 01:00-01:59 happens twice; the first (BST) is meant.
        ("2026-10-25T01:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        # 28 Mar 2027: 01:00-01:59 never happens; read as GMT.
        ("2027-03-28T01:30", datetime(2027, 3, 28, 1, 30, tzinfo=UTC)),
        # Any other time, as Django reads it.
        ("2026-10-25T03:15", datetime(2026, 10, 25, 3, 15, tzinfo=UTC)),
        ("2026-07-01T09:00", datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),
    ],
)
def test_the_hour_the_clocks_change_is_accepted(typed, meant):
    assert LocalDateTimeField().clean(typed) == meant


def test_nonsense_is_still_refused_clearly():
    with pytest.raises(forms.ValidationError) as refused:
        LocalDateTimeField().clean("25/13/2026 99:99")
    assert refused.value.messages == ["Enter a valid date/time."]
