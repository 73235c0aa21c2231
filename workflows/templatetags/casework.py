from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def due(due_on):
    """A due date, marked when it is today or past: colour is not the only signal."""
    if due_on is None:
        return "—"
    today = timezone.localdate()
    text = date_format(due_on, "j M Y")
    if due_on < today:
        return format_html(
            '<span class="status-tag casework-tag--overdue">{}</span> {}',
            _("Overdue"),
            text,
        )
    if due_on == today:
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
    from workflows.status import step_label

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
