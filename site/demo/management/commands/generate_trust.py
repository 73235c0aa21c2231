"""A trust-sized synthetic data set, for benchmarks: `manage.py generate_trust`.

Twenty schools and 100,000 concerns by default (`--concerns 1000000` for a local
authority's worth), with every casework step, Viewflow processes and tasks in every
state, notes, restrictions, transfers and audit entries. Every name is invented.
"""

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.models import School
from demo.trust.generate import generate
from demo.trust.people import PASSWORD
from records.models import Concern, Pupil


class Command(BaseCommand):
    help = (
        "Generate a synthetic multi-school trust with years of casework (benchmarks)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=20)
        parser.add_argument("--concerns", type=int, default=100_000)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--pupils-per-school", type=int, default=None)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add a trust to a database that already holds schools or concerns.",
        )

    def handle(
        self, *args, schools, concerns, years, pupils_per_school, seed, force, **options
    ):
        if not settings.CHRONICLE_ALLOW_DEMO_DATA:
            raise CommandError(
                "Generated data is switched off in these settings (production?). "
                "Nothing was created."
            )
        if schools < 1 or concerns < 0 or years < 1:
            raise CommandError(
                "Give at least one school, one year and no negative counts."
            )
        if not force and (
            School.objects.exists()
            or Pupil.objects.exists()
            or Concern.objects.exists()
        ):
            raise CommandError(
                "This database already holds schools or records: use an empty one "
                "(or --force to add a generated trust beside them)."
            )
        if connection.vendor != "postgresql":
            self.stderr.write(
                "Not PostgreSQL: this works, but slowly (rows are inserted one by one)."
            )
        started = time.monotonic()
        report = generate(
            schools=schools,
            concerns=concerns,
            years=years,
            seed=seed,
            pupils_per_school=pupils_per_school,
            progress=self.stdout.write,
        )
        for line in report.lines():
            self.stdout.write(line)
        # Rows were written past the models' signals: count the reports' figures.
        call_command("reports_rollup", stdout=self.stdout)
        people = report.people
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {people.trust.name} in {time.monotonic() - started:.1f} s."
            )
        )
        self.stdout.write(
            f"Sign in (no two-factor device yet) with password {PASSWORD!r} as, e.g., "
            "s01.dsl, s01.staff01, s01.head, trust.dsl, trust.lead; the child's file "
            f"with the most entries is pupil {report.file_pupil}."
        )
