"""The benchmark's table, and its section of docs/performance.md: each run replaces
the section of its label (before, after…) and keeps the rest of the document."""

import os
import platform
import re
from pathlib import Path

import django
from django.db import connection
from django.utils import timezone


def machine():
    """One line naming the machine: CPU, cores, memory, load, PostgreSQL."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0].split()[0]
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; load average {load}; "
        f"PostgreSQL {server} (jit {jit}); Python {platform.python_version()}, "
        f"Django {django.get_version()}"
    )


def _ms(value):
    return "—" if value is None else f"{value:,.0f} ms"


def table(results):
    rows = [
        "| page | role | queries | server time (median) | of which CPU here "
        "| floor | ratio |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r.error:
            rows.append(f"| {r.name} | {r.role} | — | **error: {r.error}** | | | |")
            continue
        ratio = f"{r.ratio:.1f}×" if r.ratio else ""
        floor = _ms(r.floor) if r.floor else ""
        rows.append(
            f"| {r.name} | {r.role} | {r.queries} | {_ms(r.median_ms)} "
            f"| {_ms(r.cpu_ms)} | {floor} | {ratio} |"
        )
    return "\n".join(rows)


def section(
    *, label, results, extras, data, runs, started, took, load_before, generated
):
    lines = [
        f"<!-- bench:{label} -->",
        f"### {label.capitalize()}: {timezone.localtime(started):%Y-%m-%d %H:%M %Z}",
        "",
        f"- Machine: {machine()} (load average when the run began: {load_before}).",
        f"- Data: {data}.",
        f"- Each time is the median of {runs} runs after one warm-up, in-process "
        "(Django test client, signed in and past two-factor); the benchmark took "
        f"{took / 60:.1f} minutes"
        + (" including the data." if generated else " (on data generated before)."),
        "",
        table(results),
        "",
        *extras,
        f"<!-- /bench:{label} -->",
    ]
    return "\n".join(lines)


def write(path, label, text):
    """Put the section into the document, replacing an earlier run's."""
    path = Path(path)
    document = path.read_text() if path.exists() else ""
    pattern = re.compile(
        rf"<!-- bench:{re.escape(label)} -->.*?<!-- /bench:{re.escape(label)} -->",
        re.S,
    )
    if pattern.search(document):
        document = pattern.sub(lambda _m: text, document)
    else:
        marker = "<!-- bench:results -->"
        if marker in document:
            document = document.replace(marker, f"{marker}\n\n{text}", 1)
        else:
            document = f"{document.rstrip()}\n\n{text}\n"
    path.write_text(document)
