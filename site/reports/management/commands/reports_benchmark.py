"""Time the main report's queries over many synthetic concerns.

    manage.py reports_benchmark                 # 10,000 then 100,000 concerns
    manage.py reports_benchmark --sizes 500     # a quick look

Everything is made in a throwaway school inside one transaction that is rolled back
at the end, so the database is left as it was (bulk_create writes no audit entries).
It prints, for each size, the time and number of queries of each table of the
report, and the whole report. Not a test: timings depend on the machine.
"""

import random
import time
import uuid
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import School
from records.models import (
    Concern,
    ConcernPupil,
    Decision,
    InvolvementRole,
    Pupil,
    Referral,
    Sex,
    YearGroup,
)
from reports import queries
from reports.filters import MONTH, Period, ReportParams
from taxonomy.models import Term, Vocabulary

BATCH = 2000
PUPILS = 1000


class Rollback(Exception):
    """Raised to undo the synthetic data."""


class Command(BaseCommand):
    help = "Seed synthetic concerns in a throwaway school and time the report."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, sizes, seed, **options):
        rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
        try:
            with transaction.atomic():
                self._run(rng, sorted(sizes))
                raise Rollback
        except Rollback:
            self.stdout.write("Synthetic data rolled back.")

    def _run(self, rng, sizes):
        from accounts.models import User

        school = School.objects.create(
            name="Benchmark school (synthetic)", urn=f"B{uuid.uuid4().hex[:9]}"
        )
        user = User.objects.create(username=f"benchmark-{uuid.uuid4().hex[:8]}")
        self.terms = {
            vocabulary: list(
                Term.objects.filter(vocabulary=vocabulary, merged_into__isnull=True)
            )
            for vocabulary in (Vocabulary.CATEGORY, Vocabulary.LOCATION)
        }
        self.agencies = list(Term.objects.filter(vocabulary=Vocabulary.AGENCY))
        pupils = self._pupils(rng, school)
        made = 0
        for size in sizes:
            started = time.perf_counter()
            while made < size:
                count = min(BATCH, size - made)
                self._concerns(rng, school, user, pupils, count)
                made += count
            seeded = time.perf_counter() - started
            self.stdout.write(
                self.style.MIGRATE_HEADING(
                    f"\n{made:,} concerns (seeded in {seeded:.1f} s)"
                )
            )
            self._time(school)

    def _pupils(self, rng, school):
        years, sexes = list(YearGroup.values), list(Sex.values)
        return Pupil.objects.bulk_create(
            Pupil(
                school=school,
                upn=f"B{index:011d}0",
                first_name="Synthetic",
                last_name=f"Pupil{index}",
                date_of_birth=date(2015, 1, 1),
                year_group=rng.choice(years),
                sex=rng.choice(sexes),
            )
            for index in range(PUPILS)
        )

    def _concerns(self, rng, school, user, pupils, count):
        today = date.today()
        categories = self.terms[Vocabulary.CATEGORY]
        locations = self.terms[Vocabulary.LOCATION]
        concerns = Concern.objects.bulk_create(
            Concern(
                school=school,
                submission_key=uuid.uuid4(),
                route=Concern.Route.DSL_TEAM,
                form_title="Benchmark",
                recorded_by=user,
                reported_by=user,
                occurred_on=today - timedelta(days=rng.randrange(730)),
                location=(location := rng.choice(locations)),
                location_name=location.name,
                what_happened="Synthetic.",
                primary_category=(category := rng.choice(categories)),
                primary_category_name=category.name,
                immediate_risk=rng.random() < 0.05,
            )
            for _ in range(count)
        )
        ConcernPupil.objects.bulk_create(
            ConcernPupil(
                concern=concern,
                pupil=rng.choice(pupils),
                role=InvolvementRole.SUBJECT,
            )
            for concern in concerns
        )
        decisions = Decision.objects.bulk_create(
            Decision(
                concern=concern,
                outcome=rng.choice(["nfa", "monitor", "referral"]),
                rationale="Synthetic rationale for the benchmark.",
                decided_by=user,
            )
            for concern in concerns[::2]
        )
        Referral.objects.bulk_create(
            Referral(
                concern=decision.concern,
                decision=decision,
                agency=(agency := rng.choice(self.agencies)),
                agency_name=agency.name,
                response_due=decision.concern.occurred_on + timedelta(days=1),
            )
            for decision in decisions
            if decision.outcome == "referral"
        )

    def _time(self, school):
        today = date.today()
        period = Period(start=today - timedelta(days=364), end=today)
        params = ReportParams(
            period=period, previous=period.before(), grouping=MONTH, schools=[school]
        )
        concerns = queries.report_concerns(Concern.objects.all(), params)
        total_started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            for make in [queries.totals, *queries.SECTIONS]:
                started = time.perf_counter()
                before = len(captured)
                make(concerns, params)
                self.stdout.write(
                    f"  {make.__name__:<20} {time.perf_counter() - started:8.3f} s"
                    f"  {len(captured) - before} queries"
                )
        self.stdout.write(
            f"  {'whole report':<20} {time.perf_counter() - total_started:8.3f} s"
            f"  {len(captured)} queries"
        )
