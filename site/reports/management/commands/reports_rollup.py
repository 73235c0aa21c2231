"""Rebuild or check the reports' pre-counted figures.

    manage.py reports_rollup            # count every figure again from the concerns
    manage.py reports_rollup --check    # say whether the figures match (exit 1 if not)

The figures are kept as concerns change (reports.rollups); rebuild after writing
concerns in bulk past the model's signals (a restore, a hand-run SQL fix, the trust
generator) and check as part of a data audit.
"""

from django.core.management.base import BaseCommand, CommandError

from reports import rollups


class Command(BaseCommand):
    help = "Rebuild (or --check) the reports' pre-counted figures from the concerns."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare with a recount and change nothing.",
        )

    def handle(self, *args, check, **options):
        if not check:
            made = rollups.rebuild()
            self.stdout.write(self.style.SUCCESS(f"{made:,} figures counted."))
            return
        wrong = rollups.differences()
        if wrong:
            for (dimension, school, day, key), stored, fresh in wrong[:20]:
                self.stderr.write(
                    f"school {school} {day} {dimension}={key}: "
                    f"stored {stored}, counted {fresh}"
                )
            raise CommandError(f"{len(wrong):,} figures differ from the concerns.")
        self.stdout.write(self.style.SUCCESS("The figures match the concerns."))
