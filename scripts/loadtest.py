#!/usr/bin/env python3
"""A bounded load test on loopback: gunicorn + a fresh PostgreSQL database, N staff
signing in the real way (password, then a TOTP code computed from their device's
key) and submitting concerns at once. Afterwards every submission must be stored
exactly once with its casework process started, and no request may have failed.

    make loadtest                      # 50 staff x 4 concerns, report in var/
    .venv/bin/python scripts/loadtest.py --staff 80 --concerns 5

Each staff member also sends one submission twice (a double click): it must still
make one record. Figures (requests, p50/p95 latency, errors) go to
var/loadtest-report.md. Exit status 0 only if every check passed.

The database (chronicle_loadtest_<random>, never the one in DATABASE_URL), gunicorn and
the uploaded files are removed at the end, pass or fail, and on SIGTERM or Ctrl-C.
"""

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from harness import (
    POSTGRES,
    ROOT,
    Client,
    Database,
    Results,
    concern_answers,
    free_port,
    gunicorn_command,
    ignore_sigterm,
    manage,
    manage_json,
    setup_people,
    start,
    status,
    stop,
    timing_table,
    unwind_on_sigterm,
    wait_for_port,
    warm,
)

CHECK = """
import json, sys
from records.models import Concern
from workflows.models import CaseProcess
keys = json.load(open({keys!r}))
stored = dict(Concern.objects.filter(submission_key__in=keys)
    .values_list("submission_key", "pk"))
counts = {{}}
for key in Concern.objects.filter(submission_key__in=keys).values_list(
        "submission_key", flat=True):
    counts[str(key)] = counts.get(str(key), 0) + 1
with_process = set(CaseProcess.objects.filter(concern_id__in=stored.values())
    .values_list("concern_id", flat=True))
print(json.dumps({{
    "missing": [k for k in keys if k not in counts],
    "duplicated": [k for k, c in counts.items() if c != 1],
    "without_process": [str(k) for k, pk in stored.items() if pk not in with_process],
    "stored": sum(counts.values()),
}}))
"""


class Staff(threading.Thread):
    """One member of staff: signs in, waits for everyone, then submits."""

    def __init__(self, base, user, setup, concerns, start_line, results):
        super().__init__(daemon=True)
        self.client = Client(base, user, results)
        self.setup, self.concerns = setup, concerns
        self.start_line, self.results = start_line, results

    def run(self):
        try:
            self.work()
        except Exception as error:  # noqa: BLE001 - counted, so the run fails
            self.results.record("staff thread", 0.0, repr(error))

    def work(self):
        client = self.client
        try:
            client.sign_in()
            client.timed("form page", "GET", self.setup["form_url"], status(200))
        finally:
            self.start_line.wait(timeout=600)
        for n in range(self.concerns):
            data = concern_answers(self.setup, client.user, n, client.csrf())
            with self.results.lock:
                self.results.keys.append(data["submission_key"])
            for _click in range(2 if n == 0 else 1):  # the first one double-clicked
                client.timed(
                    "submit concern",
                    "POST",
                    self.setup["form_url"],
                    _redirect_matching(r"\?submitted=\d+$"),
                    data=data,
                )


def _redirect_matching(pattern):
    def check(response):
        location = response.headers.get("Location", "")
        if response.status_code == 302 and re.search(pattern, location):
            return None
        return f"status {response.status_code} to {location!r}"

    return check


def report(path, args, results, check, wall, ok):
    lines = [
        "# Load test",
        "",
        f"- {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, gunicorn {args.workers} workers "
        f"x {args.threads} threads, PostgreSQL on loopback",
        f"- {args.staff} staff at once, {args.concerns} concerns each "
        "(the first sent twice, as a double click)",
        f"- wall time {wall:.1f} s",
        f"- submissions: {len(results.keys)} unique, {check.get('stored', 0)} stored; "
        f"missing {len(check.get('missing', []))}, duplicated "
        f"{len(check.get('duplicated', []))}, without a started process "
        f"{len(check.get('without_process', []))}",
        f"- errors: {len(results.errors)}",
        f"- result: **{'PASS' if ok else 'FAIL'}**",
        "",
        *timing_table(results),
    ]
    if results.errors:
        lines += ["## Errors", ""] + [f"- {e}" for e in results.errors[:50]] + [""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--staff", type=int, default=50)
    parser.add_argument("--concerns", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--report", type=Path, default=ROOT / "var/loadtest-report.md")
    args = parser.parse_args(argv)

    unwind_on_sigterm()
    args.report.unlink(missing_ok=True)  # never leave last run's figures behind
    (ROOT / "var").mkdir(exist_ok=True)
    port = free_port()
    scratch = Path(tempfile.mkdtemp(prefix="chronicle-loadtest-"))
    database = server = server_log = None
    try:
        database = Database("chronicle_loadtest", args.postgres)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "chronicle.settings.dev",
            "DEBUG": "false",
            "DATABASE_URL": database.url,
            "MEDIA_ROOT": str(scratch / "media"),
            "PRIVATE_MEDIA_ROOT": str(scratch / "private-media"),
            "WAGTAILADMIN_BASE_URL": f"http://127.0.0.1:{port}",
            "LOG_LEVEL": "WARNING",
        }
        manage(env, "migrate", "--noinput")
        manage(env, "demo", "--without-2fa")
        setup = setup_people(env, staff=args.staff)
        server_log = open(ROOT / "var" / "loadtest-gunicorn.log", "w")
        server = start(
            gunicorn_command(port, workers=args.workers, threads=args.threads),
            env,
            server_log,
        )
        wait_for_port(port, server, "gunicorn (see var/loadtest-gunicorn.log)")
        warm(f"http://127.0.0.1:{port}")
        results = Results()
        start_line = threading.Barrier(args.staff + 1)
        staff = [
            Staff(
                f"http://127.0.0.1:{port}",
                user,
                setup,
                args.concerns,
                start_line,
                results,
            )
            for user in setup["users"]
        ]
        for member in staff:
            member.start()
        start_line.wait(timeout=600)
        began = time.perf_counter()
        for member in staff:
            member.join()
        wall = time.perf_counter() - began
        keys_file = scratch / "keys.json"
        keys_file.write_text(json.dumps(results.keys))
        check = manage_json(env, CHECK.format(keys=str(keys_file)))
        ok = (
            not (
                results.errors
                or check["missing"]
                or check["duplicated"]
                or check["without_process"]
            )
            and len(results.keys) == args.staff * args.concerns
            and check["stored"] == args.staff * args.concerns
        )
        report(args.report, args, results, check, wall, ok)
        sys.stdout.write(args.report.read_text())
        return 0 if ok else 1
    finally:
        ignore_sigterm()  # let the clean-up finish
        try:
            if server is not None:
                stop(server)
        finally:
            if server_log is not None:
                server_log.close()
            if database is not None:
                database.close()
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
