"""Run the benchmark on the current database (scripts/bench.py makes one): generate
the trust unless it is there, measure every page, the submission and the hasher, and
write the table into docs/performance.md."""

import os
import time

from django.conf import settings
from django.db.models import Count
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone
from viewflow.workflow.models import Task

from audit.models import ChainedLogEntry
from demo.trust.generate import generate
from records.models import Concern, Pupil

from .floors import floor_ms
from .measure import Clients, measure
from .pages import STAFF, page_list
from .report import section, write
from .submission import hasher_cost, submission_cost


def _file_pupil():
    """The child with the longest file (the generator's 300-entry file)."""
    return (
        Pupil.objects.annotate(n=Count("involvements"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def _data():
    return (
        f"{Pupil.objects.values('school').distinct().count()} schools, "
        f"{Pupil.objects.count():,} pupils, {Concern.objects.count():,} concerns, "
        f"{Task.objects.count():,} Viewflow tasks, "
        f"{ChainedLogEntry.objects.count():,} audit entries"
    )


def run(*, concerns, schools, runs, label, output, api_headers, say):
    started, clock = timezone.now(), time.monotonic()
    load_before = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    generated = not Concern.objects.exists()
    if generated:
        say(f"Generating {schools} schools, {concerns:,} concerns…")
        report = generate(schools=schools, concerns=concerns, progress=say)
        for line in report.lines():
            say(line)
    file_pupil = _file_pupil()
    get_resolver().url_patterns  # noqa: B018 (flow.reverse needs the URLconf loaded)
    clients = Clients()
    results = []
    columns = ("page", "role", "queries", "median", "CPU", "floor")
    say("{:<36} {:<12} {:>7} {:>9} {:>8} {:>8}".format(*columns))
    for name, role, url, extra in page_list(file_pupil, api_headers):
        api = isinstance(extra, dict)
        result = measure(
            clients,
            name,
            role,
            url,
            runs=runs,
            headers=extra["headers"] if api else None,
            client=Client() if api else None,
        )
        if isinstance(extra, str) and not result.error:
            result.floor = floor_ms(extra, role, file_pupil=file_pupil, runs=runs)
        results.append(result)
        median = f"{result.median_ms:,.0f} ms" if result.median_ms else result.error
        floor = f"{result.floor:,.0f} ms" if result.floor else ""
        cpu = f"{result.cpu_ms:,.0f} ms" if result.cpu_ms else ""
        say(
            f"{name:<36} {role:<12} {result.queries:>7} {median:>9} {cpu:>8} {floor:>8}"
        )
    school = Pupil.objects.get(pk=file_pupil).school_id
    cost = submission_cost(clients(STAFF), school_id=school, runs=runs)
    hasher = hasher_cost(runs)
    extras = [
        "Submitting one concern as staff (median; CPU is this process's, not the "
        "database server's):",
        "",
        "| step | queries | CPU | wall |",
        "|---|---:|---:|---:|",
        *(
            f"| {step} | {c['queries']} | {c['cpu_ms']:,.0f} ms "
            f"| {c['wall_ms']:,.0f} ms |"
            for step, c in cost.items()
        ),
        "",
        f"Password hasher: {hasher['hasher']} (work factor {hasher['work']}), one "
        f"check {hasher['check_ms']:,.0f} ms — kept strong; not part of the figures "
        "above (the benchmark's clients are signed in already).",
        "",
    ]
    for line in extras:
        say(line)
    text = section(
        label=label,
        results=results,
        extras=extras,
        data=_data(),
        runs=runs,
        started=started,
        took=time.monotonic() - clock,
        load_before=load_before,
        generated=generated,
    )
    write(output, label, text)
    say(f"Written to {output} ({label}).")
    return results
