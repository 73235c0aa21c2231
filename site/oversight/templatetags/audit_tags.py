"""{% audit_history_url obj as url %}: the audit log's history of `obj` for a user
who may browse it (a DSL at its school), else "" — for links on other apps' pages."""

from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from ..selectors import can_browse_audit_log

register = template.Library()


@register.simple_tag(takes_context=True)
def audit_history_url(context, obj):
    request = context.get("request")
    if request is None or not can_browse_audit_log(request.user):
        return ""
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("oversight:audit_log_object", args=[content_type.pk, obj.pk])
