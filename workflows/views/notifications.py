"""The user's notifications."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .base import PAGE_SIZE


def notifications(request: HttpRequest) -> HttpResponse:
    items = request.user.notifications.all()
    if request.method == "POST":
        items.filter(read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, _("All marked as read."))
        return redirect("workflows:casework_notifications")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "workflows/notifications.html", {"page_obj": page})


def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link, marking it read."""
    note = get_object_or_404(request.user.notifications, pk=pk)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    if not url_has_allowed_host_and_scheme(note.url, allowed_hosts=None):
        return redirect("workflows:casework_notifications")
    return redirect(note.url)
