"""Scan the files stored while clamd was not answering (MALWARE_SCAN=hold).

Run it every few minutes (cron, or the scheduler): until it has, a held file is
listed as "waiting for its virus check" and not served.
"""

from django.core.management.base import BaseCommand, CommandError

from records.scanning import ScannerUnavailable, scanning_on
from records.uploads import held_files_scan


class Command(BaseCommand):
    help = "Scan held files: release the clean ones, remove the harmful ones."

    def handle(self, *args, **options):
        if not scanning_on():
            raise CommandError("Malware scanning is off (MALWARE_SCAN=off).")
        try:
            released, refused = held_files_scan()
        except ScannerUnavailable as error:
            raise CommandError(
                f"clamd is not answering ({error}); held files stay held."
            ) from error
        self.stdout.write(
            f"Released {released} held file(s); removed {refused} harmful file(s)."
        )
