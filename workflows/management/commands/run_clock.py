from django.core.management.base import BaseCommand
from django.urls import get_resolver

from workflows.services import clock_sweep


class Command(BaseCommand):
    help = (
        "Run the workflow clocks: overdue reminders, escalation to the head, chasing "
        "agencies, reopening concerns at their review date. Run it every 15 minutes "
        "from cron (or a worker); it is safe to run often."
    )

    def handle(self, *args, **options):
        _ = get_resolver().url_patterns  # links in notifications need the URLconf
        counts = clock_sweep()
        self.stdout.write(
            "Reminded {reminded}, escalated {escalated}, chased {chased}, "
            "reopened {reopened}.".format(**counts)
        )
