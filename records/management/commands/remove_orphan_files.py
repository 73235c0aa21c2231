from datetime import timedelta

from django.core.management.base import BaseCommand

from records.orphans import GRACE, orphan_files_remove


class Command(BaseCommand):
    help = (
        "Remove stored files (attachments, documents, transfer bundles) that no "
        "record points at: left behind when a save failed after the file was "
        "written. Only files older than --hours (default 24) are touched, so "
        "uploads in progress are safe. Run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=int,
            default=int(GRACE.total_seconds() // 3600),
            help="Leave files written in the last N hours (default 24).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List them; remove nothing."
        )

    def handle(self, *args, hours, dry_run, **options):
        names = orphan_files_remove(grace=timedelta(hours=hours), dry_run=dry_run)
        for name in names:
            self.stdout.write(f"  {name}")
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(f"{verb} {len(names)} stored file(s) no record points at.")
