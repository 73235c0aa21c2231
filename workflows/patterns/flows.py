"""The pattern review process: one pattern to review, one task for the DSL team."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation

from accounts.calendar import add_school_days
from records.models import Concern

from ..models import CaseProcess, CaseTask, PatternReview, Team
from ..nodes import CaseworkFlowMixin, TeamTask

REVIEW_SCHOOL_DAYS = 2


class PatternFlow(CaseworkFlowMixin, flow.Flow):
    """One pattern to review: the DSL team reads the linked concerns and concludes."""

    # Viewflow stores this class's path in every process and task row
    # ("workflows/patterns.PatternFlow", from __module__): it was defined in
    # workflows/patterns.py, and the rows already saved must keep naming it.
    # workflows.patterns re-exports it, so the stored path still imports.
    __module__ = "workflows.patterns"

    process_title = gettext_lazy("Pattern review")

    start = flow.StartHandle(this.start_pattern).Next(this.review_pattern)
    review_pattern = (
        TeamTask()
        .Annotation(title=gettext_lazy("Review the pattern"))
        .Due(this.review_due)
        .Next(this.end)
    )
    end = flow.End()

    def start_pattern(
        self, activation: Activation, review: PatternReview, concern: Concern
    ) -> CaseProcess:
        """The process hangs off the concern that crossed the threshold, so the task
        shows in that concern's page and on the child's front sheet."""
        process = activation.process
        process.concern = concern
        process.school_id = concern.school_id
        process.team = Team.DSL
        return process

    def review_due(self, task: CaseTask) -> datetime.date:
        return add_school_days(
            task.school, timezone.localdate(task.created), REVIEW_SCHOOL_DAYS
        )
