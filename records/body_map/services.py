"""Whose body a concern's marks are on. A concern can name several children;
its body map is about one of them, and is shown on that child's file only
(records.chronology), never unattributed on a witness's or another child's."""

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from ..models import InvolvementRole, Pupil

ONE_BODY = _(
    "A body map is for one child: name one child as “Child the concern is about”, "
    "or send a concern for each child who was hurt."
)


def body_map_pupil(involvements: Sequence[tuple[Pupil | None, str]]) -> Pupil | None:
    """The one child the concern is about, or the only child named; None when
    that is not one child (a body map is then refused)."""
    subjects = [
        pupil for pupil, role in involvements if role == InvolvementRole.SUBJECT
    ]
    if len(subjects) == 1:
        return subjects[0]
    if not subjects and len(involvements) == 1:
        return involvements[0][0]
    return None
