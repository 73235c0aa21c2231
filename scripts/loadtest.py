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
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
from django_otp.oath import TOTP

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "load-test-password-not-real"  # noqa: S105 (synthetic users only)

SETUP = """
import json
from datetime import date
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts.models import Role, School
from accounts.services import membership_grant, user_upsert
from forms.models import ConcernFormPage
from records.models import Pupil
from taxonomy.models import Term, Vocabulary

school = School.objects.order_by("pk").first()
page = ConcernFormPage.objects.live().get(slug="general-concern")
users = []
for n in range({staff}):
    user = user_upsert(username=f"load.staff.{{n:03d}}",
        email=f"load{{n}}@demo.invalid", first_name="Load",
        last_name=f"Staff {{n:03d}}", password="{password}")
    membership_grant(user=user, school=school, role=Role.STAFF)
    device = TOTPDevice.objects.create(user=user, name="Authenticator app")
    users.append({{"username": user.username, "key": device.key,
        "device": device.persistent_id}})
print(json.dumps({{
    "users": users,
    "form_url": page.url,
    "pupils": list(
        Pupil.objects.filter(school=school).values_list("pk", flat=True)[:20]),
    "location": Term.objects.get(vocabulary=Vocabulary.LOCATION, key="playground").pk,
    "category": Term.objects.get(vocabulary=Vocabulary.CATEGORY, key="bullying").pk,
}}))
"""

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


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    timings: dict = field(default_factory=dict)  # step -> [seconds]
    errors: list = field(default_factory=list)
    keys: list = field(default_factory=list)

    def record(self, step, seconds, error=None):
        with self.lock:
            self.timings.setdefault(step, []).append(seconds)
            if error:
                self.errors.append(f"{step}: {error}")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args, stdin=None):
    result = subprocess.run(  # noqa: S603 (our own fixed command)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        input=stdin,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def totp_code(key):
    totp = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6, drift=0)
    return f"{totp.token():06d}"


class Staff(threading.Thread):
    """One member of staff: signs in, waits for everyone, then submits."""

    def __init__(self, base, user, setup, concerns, start, results):
        super().__init__(daemon=True)
        self.base, self.user, self.setup = base, user, setup
        self.concerns, self.start_line, self.results = concerns, start, results
        self.http = requests.Session()
        # One connection per request, as from a proxy: a kept-alive connection the
        # server closes just as a POST goes out fails in the client, not the server.
        self.http.headers["Connection"] = "close"

    def timed(self, step, method, path, expect, **kwargs):
        started = time.perf_counter()
        try:
            response = self.http.request(
                method, self.base + path, allow_redirects=False, timeout=60, **kwargs
            )
        except requests.RequestException as error:
            self.results.record(step, time.perf_counter() - started, repr(error))
            return None
        elapsed = time.perf_counter() - started
        problem = expect(response)
        self.results.record(step, elapsed, problem and f"{problem} ({path})")
        return response

    def csrf(self):
        return self.http.cookies.get("csrftoken", "")

    def sign_in(self):
        self.timed("sign-in page", "GET", "/admin/login/", _status(200))
        self.timed(
            "password",
            "POST",
            "/admin/login/",
            _redirect_to("/admin/"),  # which sends them on to the code
            data={
                "csrfmiddlewaretoken": self.csrf(),
                "username": self.user["username"],
                "password": PASSWORD,
                "next": "/admin/",
            },
        )
        self.timed(
            "two-factor code",
            "POST",
            "/account/two-factor/verify/",
            _redirect_to("/admin/"),
            data={
                "csrfmiddlewaretoken": self.csrf(),
                "device": self.user["device"],
                "code": totp_code(self.user["key"]),
                "next": "/admin/",
            },
        )

    def answers(self, n):
        pupils = self.setup["pupils"]
        return {
            "csrfmiddlewaretoken": self.csrf(),
            "submission_key": str(uuid.uuid4()),
            "pupil": [pupils[n % len(pupils)]],
            "pupil_role": ["subject"],
            "occurred_on": time.strftime("%Y-%m-%d"),
            "occurred_at": "10:15",
            "location": self.setup["location"],
            "location_detail": "Load test (synthetic)",
            "what_happened": f"Synthetic load-test concern {n} "
            f"by {self.user['username']}.",
            "child_voice": "'Synthetic words for a load test.'",
            "primary_category": self.setup["category"],
            "immediate_risk": "no",
            "actions_taken": "None: synthetic.",
        }

    def run(self):
        try:
            self.work()
        except Exception as error:  # noqa: BLE001 - counted, so the run fails
            self.results.record("staff thread", 0.0, repr(error))

    def work(self):
        try:
            self.sign_in()
            form_url = self.setup["form_url"]
            self.timed("form page", "GET", form_url, _status(200))
        finally:
            self.start_line.wait(timeout=600)
        for n in range(self.concerns):
            data = self.answers(n)
            with self.results.lock:
                self.results.keys.append(data["submission_key"])
            for _click in range(2 if n == 0 else 1):  # the first one double-clicked
                self.timed(
                    "submit concern",
                    "POST",
                    self.setup["form_url"],
                    _redirect_matching(r"\?submitted=\d+$"),
                    data=data,
                )


def _status(code):
    return lambda r: None if r.status_code == code else f"status {r.status_code}"


def _redirect_to(prefix):
    def check(response):
        location = response.headers.get("Location", "")
        if response.status_code == 302 and location.startswith(prefix):
            return None
        return f"status {response.status_code} to {location!r}"

    return check


def _redirect_matching(pattern):
    def check(response):
        location = response.headers.get("Location", "")
        if response.status_code == 302 and re.search(pattern, location):
            return None
        return f"status {response.status_code} to {location!r}"

    return check


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


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
        "| step | requests | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    total = 0
    for step, values in results.timings.items():
        total += len(values)
        lines.append(
            f"| {step} | {len(values)} | {statistics.median(values) * 1000:.0f} | "
            f"{percentile(values, 0.95) * 1000:.0f} | {max(values) * 1000:.0f} |"
        )
    lines += ["", f"{total} requests in all.", ""]
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
    parser.add_argument(
        "--postgres", default="postgres://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--report", type=Path, default=ROOT / "var/loadtest-report.md")
    args = parser.parse_args(argv)

    # SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so the clean-up below runs.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    args.report.unlink(missing_ok=True)  # never leave last run's figures behind
    (ROOT / "var").mkdir(exist_ok=True)
    name = f"chronicle_loadtest_{uuid.uuid4().hex[:8]}"
    port = free_port()
    scratch = Path(tempfile.mkdtemp(prefix="chronicle-loadtest-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chronicle.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": args.postgres.rsplit("/", 1)[0] + f"/{name}",
        "MEDIA_ROOT": str(scratch / "media"),
        "PRIVATE_MEDIA_ROOT": str(scratch / "private-media"),
        "WAGTAILADMIN_BASE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
    }
    admin = server = server_log = None
    try:
        admin = psycopg.connect(args.postgres, autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        manage(env, "migrate", "--noinput")
        manage(env, "demo", "--without-2fa")
        setup = json.loads(
            manage(
                env,
                "shell",
                "-c",
                SETUP.format(staff=args.staff, password=PASSWORD),
            )
            .strip()
            .splitlines()[-1]
        )
        server_log = open(ROOT / "var" / "loadtest-gunicorn.log", "w")  # noqa: SIM115
        server = subprocess.Popen(  # noqa: S603 (our own fixed command)
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "chronicle.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--timeout",
                "120",
                "--graceful-timeout",
                "10",
                "--preload",  # load Django once, before the workers fork
                "--chdir",  # chronicle.wsgi puts the apps on sys.path itself
                str(ROOT / "site"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=server_log,
            start_new_session=True,  # its own process group: workers and all
        )
        _wait_for(port, server)
        results = Results()
        start = threading.Barrier(args.staff + 1)
        staff = [
            Staff(
                f"http://127.0.0.1:{port}", user, setup, args.concerns, start, results
            )
            for user in setup["users"]
        ]
        for member in staff:
            member.start()
        start.wait(timeout=600)
        began = time.perf_counter()
        for member in staff:
            member.join()
        wall = time.perf_counter() - began
        keys_file = scratch / "keys.json"
        keys_file.write_text(json.dumps(results.keys))
        check = json.loads(
            manage(env, "shell", "-c", CHECK.format(keys=str(keys_file)))
            .strip()
            .splitlines()[-1]
        )
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
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # let the clean-up finish
        try:
            if server is not None:
                _stop(server)
        finally:
            if server_log is not None:
                server_log.close()
            if admin is not None:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.close()
            shutil.rmtree(scratch, ignore_errors=True)


def _exit_on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def _stop(server):
    """gunicorn's master stops its workers on SIGTERM; if it hangs, kill the lot."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def _wait_for(port, server):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited: see var/loadtest-gunicorn.log")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            time.sleep(0.3)
            continue
        # Listening; warm every worker (first requests load templates, URLconf).
        for _n in range(8):
            requests.get(f"http://127.0.0.1:{port}/admin/login/", timeout=120)
        return
    raise RuntimeError("gunicorn did not start listening within 60 seconds")


if __name__ == "__main__":
    sys.exit(main())
