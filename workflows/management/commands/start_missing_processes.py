from django.core.management.base import BaseCommand
from django.db import transaction

from records.models import Concern
from workflows.services import concern_process_start


class Command(BaseCommand):
    help = (
        "Start the workflow for concerns saved before the workflow existed (a "
        "database from an earlier version). Concerns that have a process are left "
        "alone; safe to run again."
    )

    def handle(self, *args, **options):
        started = 0
        for concern in Concern.objects.filter(processes__isnull=True).order_by("pk"):
            with transaction.atomic():
                concern_process_start(concern=concern)
            started += 1
        self.stdout.write(f"Started the workflow for {started} concern(s).")
