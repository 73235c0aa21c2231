"""Time the main report's queries over many synthetic concerns.

    manage.py reports_benchmark                 # 10,000 then 100,000 concerns
    manage.py reports_benchmark --sizes 500     # a quick look
    manage.py reports_benchmark --explain       # and each query's plan (PostgreSQL)

Everything is made in a throwaway school inside one transaction that is rolled back
at the end, so the database is left as it was (bulk_create writes no audit entries).
It prints, for each size, the time and number of queries of each table of the
report, and the whole report. Not a test: timings depend on the machine.

The concerns are counted as the report page counts them: those a head of the school
may oversee (reports.selectors), a third of them triaged into another category, some
about two children and some with a witness. On PostgreSQL the tables are ANALYZEd
after seeding (as autovacuum would do in a live database) so the planner sees the
real row counts.
"""

import random
import time
import uuid
from dataclasses import replace
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership, Role, School, User
from records.models import (
    Concern,
    ConcernPupil,
    Decision,
    DecisionOutcome,
    InvolvementRole,
    Pupil,
    Referral,
    RiskLevel,
    Sex,
    Triage,
    YearGroup,
)
from reports import queries, rollups, selectors
from reports.filters import MONTH, Period, ReportParams
from reports.queries import counters
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
        parser.add_argument(
            "--explain",
            action="store_true",
            help="Print EXPLAIN ANALYZE of each query (PostgreSQL only).",
        )

    def handle(self, *args, sizes, seed, explain, **options):
        self.explain = explain and connection.vendor == "postgresql"
        rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
        try:
            with transaction.atomic():
                self._run(rng, sorted(sizes))
                raise Rollback
        except Rollback:
            self.stdout.write("Synthetic data rolled back.")

    def _run(self, rng, sizes):
        school = School.objects.create(
            name="Benchmark school (synthetic)", urn=f"B{uuid.uuid4().hex[:9]}"
        )
        user = User.objects.create(username=f"benchmark-{uuid.uuid4().hex[:8]}")
        Membership.objects.create(user=user, school=school, role=Role.HEAD)
        self.user = user
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
            rollups.rebuild()  # bulk_create writes past the figures' signals
            self._analyze()
            seeded = time.perf_counter() - started
            self.stdout.write(
                self.style.MIGRATE_HEADING(
                    f"\n{made:,} concerns (seeded in {seeded:.1f} s)"
                )
            )
            self._time(school)

    def _analyze(self):
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model in (Concern, ConcernPupil, Pupil, Triage, Decision, Referral):
                cursor.execute(f"ANALYZE {model._meta.db_table}")

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
                reporting_category=category,
                immediate_risk=rng.random() < 0.05,
            )
            for _ in range(count)
        )
        involvements = []
        for concern in concerns:
            # A concern about one child, sometimes two, sometimes with a witness.
            children = rng.sample(pupils, 3)
            roles = [InvolvementRole.SUBJECT]
            if rng.random() < 0.1:
                roles.append(InvolvementRole.SUBJECT)
            if rng.random() < 0.2:
                roles.append(InvolvementRole.WITNESS)
            involvements += [
                ConcernPupil(concern=concern, pupil=child, role=role)
                for child, role in zip(children, roles, strict=False)
            ]
        ConcernPupil.objects.bulk_create(involvements)
        triages = Triage.objects.bulk_create(
            Triage(
                concern=concern,
                primary_category=(category := rng.choice(categories)),
                primary_category_name=category.name,
                risk_level=RiskLevel.LOW,
                risk_reason="Synthetic.",
                triaged_by=user,
            )
            for concern in concerns[::3]
        )
        # bulk_create skips Triage.save, which keeps the reporting category.
        for triage in triages:
            triage.concern.reporting_category = triage.primary_category
        Concern.objects.bulk_update(
            [triage.concern for triage in triages], ["reporting_category"]
        )
        decisions = Decision.objects.bulk_create(
            Decision(
                concern=concern,
                outcome=rng.choice(
                    [
                        DecisionOutcome.NFA,
                        DecisionOutcome.MONITOR,
                        DecisionOutcome.REFERRAL,
                    ]
                ),
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
            if decision.outcome == DecisionOutcome.REFERRAL
        )

    def _time(self, school):
        today = date.today()
        period = Period(start=today - timedelta(days=364), end=today)
        params = ReportParams(
            period=period, previous=period.before(), grouping=MONTH, schools=[school]
        )
        concerns = queries.report_concerns(
            selectors.concerns_for_reports(self.user), params
        )
        total_started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            # As the report page counts: from the figures where a section can be.
            counter = counters.counter_for(concerns, params, viewer=self.user)
            for make in [queries.totals, *queries.SECTIONS]:
                started = time.perf_counter()
                before = len(captured)
                make(counter if getattr(make, "counted", False) else concerns, params)
                self.stdout.write(
                    f"  {make.__name__:<20} {time.perf_counter() - started:8.3f} s"
                    f"  {len(captured) - before} queries"
                )
        self.stdout.write(
            f"  {'whole report':<20} {time.perf_counter() - total_started:8.3f} s"
            f"  {len(captured)} queries"
        )
        self._time_category(school, params)
        if self.explain:
            self._explain(captured)

    def _time_category(self, school, params):
        """The whole report filtered by one category (counted from the concerns,
        through Concern.reporting_category)."""
        chosen = replace(params, categories=self.terms[Vocabulary.CATEGORY][:1])
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            queries.build_report(
                selectors.concerns_for_reports(self.user), chosen, viewer=self.user
            )
        self.stdout.write(
            f"  {'one category':<20} {time.perf_counter() - started:8.3f} s"
            f"  {len(captured)} queries"
        )

    def _explain(self, captured):
        with connection.cursor() as cursor:
            for query in captured:
                if "records_" not in query["sql"]:
                    continue
                cursor.execute(f"EXPLAIN ANALYZE {query['sql']}")
                self.stdout.write("\n" + query["sql"][:300])
                self.stdout.write("\n".join(row[0] for row in cursor.fetchall()))
