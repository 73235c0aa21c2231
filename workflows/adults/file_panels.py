"""What a child's file shows of concerns about adults: only that one involves
the child, to the school's DSLs and case manager (the case manager gets a link to
their cases), and nothing to an adult such a concern names. The case itself is
never part of the child's file. Loaded by workflows.wagtail_hooks."""

from django.http import HttpRequest
from wagtail import hooks

from records.frontsheet import FILE_PANELS_HOOK, FilePanel, Slot
from records.models import Pupil

from .selectors import adult_concerns_involving, may_open_cases


@hooks.register(FILE_PANELS_HOOK)
def adult_concern_notice(*, request: HttpRequest, pupil: Pupil) -> list[FilePanel]:
    if not adult_concerns_involving(pupil, request.user):
        return []
    template = (
        "workflows/adults/file_notice_case_manager.html"
        if may_open_cases(request.user, pupil)
        else "workflows/adults/file_notice.html"
    )
    return [FilePanel(Slot.FRONT_SIDE, template)]
