"""A submitted concern with its process started, and a DSL team to work it."""

from datetime import timedelta

from taxonomy.models import Term
from workflows.models import CaseTask


def term(vocabulary, key):
    return Term.objects.get(vocabulary=vocabulary, key=key)


def open_task(concern, step):
    """The open task of that step for the concern (step: node name)."""
    tasks = [
        task
        for task in CaseTask.objects.filter(
            concern=concern, status__in=["NEW", "ASSIGNED", "STARTED"]
        )
        if task.flow_task.name == step
    ]
    assert len(tasks) == 1, [
        t.flow_task.name for t in CaseTask.objects.filter(concern=concern)
    ]
    return tasks[0]


def open_steps(concern):
    return sorted(
        task.flow_task.name
        for task in CaseTask.objects.filter(
            concern=concern,
            flow_task_type="HUMAN",
            status__in=["NEW", "ASSIGNED", "STARTED"],
        )
    )


def weekday_after(day):
    """The next weekday (no calendar is set up here: school days are weekdays)."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day
