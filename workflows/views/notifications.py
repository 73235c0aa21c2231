"""The user's notifications: Wagtail's generic listing (paging, the table), newest
first; a POST marks them all read."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chronicle.listing import ListingView
from chronicle.tables import template_columns

from .base import PAGE_SIZE

# The rows read as sentences; their headers are for screen readers.
COLUMNS = template_columns(
    "workflows/notification_cells",
    ("when", gettext_lazy("When")),
    ("kind", gettext_lazy("Kind")),
    ("message", gettext_lazy("Notification")),
    hidden_label=True,
)


class NotificationsView(ListingView):
    template_name = "workflows/notifications.html"
    paginate_by = PAGE_SIZE
    columns = COLUMNS
    table_attrs = {"data-notifications": True}

    def get_base_queryset(self):
        return self.request.user.notifications.all()

    def post(self, request: HttpRequest) -> HttpResponse:
        unread = request.user.notifications.filter(read_at__isnull=True)
        unread.update(read_at=timezone.now())
        messages.success(request, _("All marked as read."))
        return redirect("workflows:casework_notifications")

    def row_attrs(self, row):
        return {} if row.read_at else {"class": "casework-unread"}


notifications = NotificationsView.as_view()


def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link, marking it read."""
    note = get_object_or_404(request.user.notifications, pk=pk)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    if not url_has_allowed_host_and_scheme(note.url, allowed_hosts=None):
        return redirect("workflows:casework_notifications")
    return redirect(note.url)
