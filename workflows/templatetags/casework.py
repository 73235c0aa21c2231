from datetime import date
from types import SimpleNamespace

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from workflows.clock import Clock
from workflows.status import step_label

register = template.Library()

_CLOCK = "casework_clock"


def _text(due_on):
    return date_format(due_on, "j M Y") if due_on else "—"


@register.simple_tag(takes_context=True)
def due(context, task, school=None, urgent=False, created=None, referral=None):
    """A task's due date, marked "Overdue" exactly when the clock sweep treats it as
    late (workflows.clock: working days from 08:00, urgent tasks by the hour), and
    "Today" when due today: colour is not the only signal. One clock per page
    render, so a list reads each school's calendar once.

    Given a date instead of a task (a transfer's deadline, a concern's current
    step), the task's school, and whether it is urgent (with when it was raised)
    or a referral's follow-up, are passed by name."""
    if task is None or isinstance(task, date):
        task = SimpleNamespace(
            due_on=task,
            school_id=school,
            urgent=bool(urgent) and created is not None,
            created=created,
            referral_id=referral,
            action_id=None,
        )
    due_on = task.due_on
    clock = context.render_context.get(_CLOCK)
    if clock is None:
        clock = context.render_context[_CLOCK] = Clock(())
    if clock.is_overdue(task):
        return format_html(
            '<span class="status-tag casework-tag--overdue">{}</span> {}',
            _("Overdue"),
            _text(due_on),
        )
    if due_on is None:
        return "—"
    text = _text(due_on)
    if due_on == clock.today:
        return format_html(
            '<span class="status-tag casework-tag--today">{}</span> {}',
            _("Today"),
            text,
        )
    return text


@register.simple_tag
def answer_text(value):
    if isinstance(value, list) and value:
        return ", ".join(str(item) for item in value)
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if value in (None, "", []):
        return _("Not answered")
    return str(value)


@register.simple_tag
def step_name(flow_task):
    return step_label(flow_task) or "—"


@register.filter
def duration_text(value):
    """A timedelta in words a head would use: '3 h 20 min', '2 days 4 h'."""
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(d)d days %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}
