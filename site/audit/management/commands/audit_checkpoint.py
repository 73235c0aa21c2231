from django.core.management.base import BaseCommand, CommandError

from audit import checkpoints
from audit.models import ChainedLogEntry


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint of the audit chain (last entry, its hash, the "
        "count, the time) to AUDIT_CHECKPOINT_DIR, outside the database, and mail it "
        "to AUDIT_CHECKPOINT_EMAIL if set. Run it on a schedule (every 15 minutes)."
    )

    def handle(self, *args, **options):
        try:
            checkpoint, path = checkpoints.write(model=ChainedLogEntry)
        except checkpoints.CheckpointRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"Wrote {path}: {checkpoint.describe()}.")
