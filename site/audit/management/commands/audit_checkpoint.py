from django.core.management.base import BaseCommand

from audit import checkpoints
from audit.models import ChainedLogEntry


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint of the audit chain (last entry, its hash, the "
        "count, the time) to AUDIT_CHECKPOINT_DIR, outside the database, and mail it "
        "to AUDIT_CHECKPOINT_EMAIL if set. Run it on a schedule (every 15 minutes)."
    )

    def handle(self, *args, **options):
        checkpoint, path = checkpoints.write(model=ChainedLogEntry)
        self.stdout.write(f"Wrote {path}: {checkpoint.describe()}.")
