"""Build a synthetic trust: schools, people, pupils and years of casework.

    generate(schools=20, concerns=100_000)

Rows are written straight into the tables (demo.trust.writer), a chunk of concerns
per transaction; the few restrictions and transfers go through the services. Returns
what it made, with the time each part took.
"""

import random
import time as clock
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from accounts.models import Trust, User
from audit.models import ChainedLogEntry
from records.models import (
    Action,
    Closure,
    Concern,
    ConcernPupil,
    Decision,
    FileNote,
    KeyPerson,
    Pupil,
    PupilFlag,
    Referral,
    Triage,
)
from taxonomy.models import Term
from workflows.models import Notification

from .audit import AuditTrail
from .casework import Casework
from .extras import Files, restrictions_and_transfers
from .people import build_people
from .processes import Processes
from .writer import reset_sequences

CHUNK = 5000
FILE_NOTES_SHARE = 0.2  # of the file child's entries: the rest are concerns


@dataclass
class Report:
    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    people: object = None
    file_pupil: int = 0

    def lines(self):
        yield "Made:"
        for name, n in self.counts.items():
            yield f"  {name:<24} {n:>10,}"
        yield "Took:"
        for name, seconds in self.timings.items():
            yield f"  {name:<24} {seconds:>9.1f} s"


def load_terms():
    terms = {}
    for pk, vocabulary, key, name in Term.objects.filter(
        school__isnull=True
    ).values_list("pk", "vocabulary", "key", "name"):
        terms.setdefault(vocabulary, {})[key] = (pk, name, key)
    return terms


def generate(
    *,
    schools=20,
    concerns=100_000,
    years=3,
    seed=2026,
    pupils_per_school=None,
    file_entries=300,
    progress=None,
):
    say = progress or (lambda text: None)
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    report = Report()
    now = timezone.now()
    today = timezone.localdate()
    per_school = pupils_per_school or max(
        30, min(2000, concerns // max(schools, 1) // 5)
    )
    started = clock.monotonic()

    def lap(name):
        nonlocal started
        report.timings[name] = clock.monotonic() - started
        started = clock.monotonic()

    existing = Trust.objects.count()
    tag = f"t{existing}." if existing else ""
    with transaction.atomic():
        people = build_people(
            rng=rng,
            schools=schools,
            pupils_per_school=per_school,
            today=today,
            tag=tag,
            urn_prefix=f"9{existing % 9}",
        )
    report.people = people
    lap("schools, people, pupils")
    say(f"{schools} schools, {per_school * schools:,} pupils")

    names = {
        pk: f"{first} {last}"
        for pk, first, last in Pupil.objects.filter(
            school__trust=people.trust
        ).values_list("pk", "first_name", "last_name")
    }
    users = User.objects.filter(memberships__school__trust=people.trust).distinct()
    for pk, first, last in users.values_list("pk", "first_name", "last_name"):
        names[("u", pk)] = f"{first} {last}"
    emails = dict(users.values_list("pk", "email"))
    terms = load_terms()

    audit = AuditTrail(emails)
    procs = Processes()
    work = Casework(
        rng=rng,
        people=people,
        terms=terms,
        now=now,
        audit=audit,
        processes=procs,
        names=names,
    )
    files = Files(rng=rng, terms=terms, now=now, audit=audit, names=names)

    # When each concern came in, oldest first (ids ascend with time), and where.
    span = timedelta(days=365 * years).total_seconds()
    moments = sorted(rng.random() for _ in range(concerns))
    weights = [rng.uniform(0.5, 1.5) for _ in people.schools]
    where = rng.choices(range(schools), weights=weights, k=concerns)
    first = people.schools[0]
    in_first = max(1, where.count(0))
    file_concerns = round(file_entries * (1 - FILE_NOTES_SHARE))
    file_share = min(0.5, file_concerns / in_first)
    report.file_pupil = first.pupils[0]
    # Each school's newest concern came in a minute ago: every team has a triage
    # waiting, unclaimed, whatever the size of the trust.
    fresh = set({school: n for n, school in enumerate(where)}.values())

    for begin in range(0, concerns, CHUNK):
        with transaction.atomic():
            _unsynced()
            audit.lock()
            for n in range(begin, min(concerns, begin + CHUNK)):
                sp = people.schools[where[n]]
                at = now - timedelta(seconds=span * (1 - moments[n]) + 300)
                if n in fresh:
                    at = now - timedelta(minutes=1)
                pupils = sp.pupils
                if sp is first and rng.random() < file_share:
                    subject = pupils[0]
                else:
                    subject = pupils[1 + int((len(pupils) - 1) * rng.random() ** 1.6)]
                children = [subject]
                if rng.random() < 0.25:
                    for _ in range(rng.choice([1, 1, 2])):
                        other = rng.choice(pupils[1:])
                        if other not in children:
                            children.append(other)
                work.add(sp, at, children)
            _flush(work, procs, audit)
        say(f"  {min(concerns, begin + CHUNK):,} / {concerns:,} concerns")
    lap("casework and processes")

    with transaction.atomic():
        audit.lock()
        for sp in people.schools:
            for pupil in sp.pupils:
                notes = 0
                if pupil == report.file_pupil:
                    notes = file_entries - file_concerns
                elif rng.random() < 0.08:
                    notes = rng.randint(1, 3)
                files.pupil(sp, pupil, notes=notes, dsl=sp.dsl)
        files.flush()
        audit.flush()
    lap("flags, key people, notes")

    reset_sequences(
        [
            Pupil,
            Concern,
            ConcernPupil,
            Triage,
            Decision,
            Referral,
            Action,
            Closure,
            Notification,
            Process,
            Task,
            Task.previous.through,
            ChainedLogEntry,
            PupilFlag,
            KeyPerson,
            FileNote,
        ]
    )
    with transaction.atomic():
        by_school = {
            sp.school.pk: list(
                Concern.objects.filter(
                    school=sp.school, route=Concern.Route.DSL_TEAM
                ).order_by("-pk")[:20]
            )
            for sp in people.schools
        }
        extra = restrictions_and_transfers(
            rng=rng, people=people, concerns_by_school=by_school, today=today
        )
    lap("restrictions, transfers")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        lap("analyze")

    report.counts = {
        "schools": schools,
        "users": len(people.usernames),
        "pupils": per_school * schools,
        "concerns": concerns,
        "children named": work.involvement.written,
        "triages": work.triage.written,
        "decisions": work.decision.written,
        "referrals": work.referral.written,
        "actions": work.action.written,
        "closures": work.closure.written,
        "reopened for review": work.counts["reopened"],
        "processes": procs.process.written,
        "tasks (all nodes)": procs.task.written,
        "human tasks open": procs.counts["open"],
        "human tasks assigned": procs.counts["assigned"],
        "human tasks done": procs.counts["done"],
        "open tasks overdue": procs.counts["overdue"],
        "notifications": work.notification.written,
        **files.counts,
        **extra,
        "audit entries (bulk)": audit.table.written,
    }
    return report


def _unsynced():
    """Generated data can be made again: don't wait for each chunk to reach disk,
    and — when we may (a superuser, as on a benchmark's own database) — skip the
    foreign-key triggers, which check every row's references one by one at commit
    (the rows are made consistent here; tests/demo checks it with the keys on)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")


def _flush(work, procs, audit):
    work.flush()
    procs.flush()
    audit.flush()
