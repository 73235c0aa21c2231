"""The break-glass banner's "who was told": the people kept on the access that
shows the user this record (records.restrictions.break_glass_covering), so the
banner says who truly heard of it."""

from django import template

from ..restrictions.selectors import break_glass_covering

register = template.Library()


@register.simple_tag(takes_context=True)
def break_glass_told_of(context, record):
    """The people told when the user's open access to `record` was opened, or
    None when no access shows it to them."""
    access = break_glass_covering(context["request"].user, record)
    return None if access is None else list(access.told.all())
