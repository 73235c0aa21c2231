"""Writes of the reports area: pinning and unpinning a report view."""

from django.db import transaction

from accounts.models import User

from .models import PinnedReport


@transaction.atomic
def report_pin(*, user: User, title: str, query: str) -> PinnedReport:
    """Pin the view with these filters; pinning the same filters twice (a double
    click, a second tab) keeps one pin and gives it the newer name."""
    pin, _created = PinnedReport.objects.select_for_update().get_or_create(
        user=user, query=query, defaults={"title": title}
    )
    if pin.title != title:
        pin.title = title
    pin.full_clean()
    pin.save()
    return pin


@transaction.atomic
def report_unpin(*, pin: PinnedReport) -> None:
    pin.delete()
