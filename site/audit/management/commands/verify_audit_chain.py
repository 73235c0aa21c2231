from django.core.management.base import BaseCommand, CommandError

from audit import chain
from audit.models import ChainedLogEntry


class Command(BaseCommand):
    help = (
        "Check that no audit entry was altered or removed. Exits non-zero and names "
        "the first broken entry."
    )

    def handle(self, *args, **options):
        broken = chain.verify(ChainedLogEntry)
        if broken:
            raise CommandError(
                f"Audit chain broken at entry {broken.entry_id}: {broken.reason}."
            )
        count = ChainedLogEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} entries."))
