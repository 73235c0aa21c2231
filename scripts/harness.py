"""What the loopback tests share (scripts/loadtest.py, scripts/cluster_test.py): a
PostgreSQL database of their own, synthetic staff who sign in the real way (password,
then a TOTP code from their device's key), timed HTTP steps, and processes started in
process groups of their own so that stopping one stops all its children.

Every piece here runs against 127.0.0.1 only and removes what it made.
"""

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
from django_otp.oath import TOTP

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "load-test-password-not-real"  # noqa: S105 (synthetic users only)
RETRIED_STATUSES = {502, 503, 504}  # from a balancer: no server, or it went away
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"

# Run by `manage.py shell`: synthetic staff (and, for the cluster test, a DSL) made
# through the project's own services, each with a TOTP device whose key the test
# holds, as an authenticator app would.
SETUP = """
import json
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts.models import Role, School
from accounts.services import membership_grant, user_upsert
from forms.models import ConcernFormPage
from records.models import Pupil
from taxonomy.models import Term, Vocabulary

school = School.objects.order_by("pk").first()
page = ConcernFormPage.objects.live().get(slug="general-concern")

def person(username, email, last_name, role):
    user = user_upsert(username=username, email=email, first_name="Load",
        last_name=last_name, password="{password}")
    membership_grant(user=user, school=school, role=role)
    device = TOTPDevice.objects.create(user=user, name="Authenticator app")
    return {{"username": user.username, "email": user.email, "key": device.key,
        "device": device.persistent_id}}

users = [person(f"{prefix}.staff.{{n:03d}}", f"{prefix}{{n}}@demo.invalid",
    f"Staff {{n:03d}}", Role.STAFF) for n in range({staff})]
dsls = [person(f"{prefix}.dsl.{{n}}", f"{prefix}.dsl{{n}}@demo.invalid", f"DSL {{n}}",
    Role.DSL) for n in range({dsls})]
print(json.dumps({{
    "users": users,
    "dsls": dsls,
    "school": school.pk,
    "form_url": page.url,
    "pupils": list(
        Pupil.objects.filter(school=school).values_list("pk", flat=True)[:20]),
    "location": Term.objects.get(vocabulary=Vocabulary.LOCATION, key="playground").pk,
    "category": Term.objects.get(vocabulary=Vocabulary.CATEGORY, key="bullying").pk,
}}))
"""


def setup_people(env, *, staff, dsls=0, prefix="load"):
    """Make the synthetic people; returns what the clients need (see SETUP)."""
    return manage_json(
        env,
        SETUP.format(staff=staff, dsls=dsls, prefix=prefix, password=PASSWORD),
    )


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    timings: dict = field(default_factory=dict)  # step -> [seconds]
    errors: list = field(default_factory=list)
    keys: list = field(default_factory=list)
    retries: Counter = field(default_factory=Counter)  # (step, why) -> times

    def record(self, step, seconds, error=None):
        with self.lock:
            self.timings.setdefault(step, []).append(seconds)
            if error:
                self.errors.append(f"{step}: {error}")

    def retried(self, step, why):
        with self.lock:
            self.retries[step, why] += 1


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args, stdin=None, timeout=900):
    result = subprocess.run(  # noqa: S603 (our own fixed command)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def manage_json(env, script):
    """Run a script in `manage.py shell`; its last line of output is JSON."""
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])


def totp_code(key):
    totp = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6, drift=0)
    return f"{totp.token():06d}"


class Client:
    """One person's browser: a session, timed requests, the real sign-in."""

    def __init__(self, base, user, results, attempts=1):
        self.base, self.user, self.results = base, user, results
        self.attempts = attempts
        self.http = requests.Session()
        # One connection per request, as from a proxy: a kept-alive connection the
        # server closes just as a POST goes out fails in the client, not the server.
        self.http.headers["Connection"] = "close"

    def timed(self, step, method, path, expect, base=None, **kwargs):
        """One step, timed and checked by `expect`. With `attempts` above one, a
        request that failed on the way (refused, reset, timed out, or a 502/503/504
        from a balancer whose server went away) is sent again, unchanged, after a
        growing pause: the same submission key makes a resent form safe."""
        for attempt in range(1, self.attempts + 1):
            started = time.perf_counter()
            try:
                response = self.http.request(
                    method,
                    (base or self.base) + path,
                    allow_redirects=False,
                    timeout=60,
                    **kwargs,
                )
            except requests.RequestException as error:
                why, response = type(error).__name__, None
            else:
                why = f"status {response.status_code}"
                if response.status_code not in RETRIED_STATUSES:
                    elapsed = time.perf_counter() - started
                    problem = expect(response)
                    self.results.record(
                        step, elapsed, problem and f"{problem} ({path})"
                    )
                    return response
            if attempt < self.attempts:
                self.results.retried(step, why)
                time.sleep(min(0.25 * 2**attempt, 4.0))
        self.results.record(step, time.perf_counter() - started, f"{why} ({path})")
        return response

    def csrf(self):
        return self.http.cookies.get("csrftoken", "")

    def sign_in(self):
        self.timed("sign-in page", "GET", "/admin/login/", status(200))
        self.timed(
            "password",
            "POST",
            "/admin/login/",
            redirect_to("/admin/"),  # which sends them on to the code
            data={
                "csrfmiddlewaretoken": self.csrf(),
                "username": self.user["username"],
                "password": PASSWORD,
                "next": "/admin/",
            },
        )
        return self.timed(
            "two-factor code",
            "POST",
            "/account/two-factor/verify/",
            redirect_to("/admin/"),
            data={
                "csrfmiddlewaretoken": self.csrf(),
                "device": self.user["device"],
                "code": totp_code(self.user["key"]),
                "next": "/admin/",
            },
        )


def concern_answers(setup, user, n, csrf):
    """A complete, valid concern form, with a fresh submission key."""
    pupils = setup["pupils"]
    return {
        "csrfmiddlewaretoken": csrf,
        "submission_key": str(uuid.uuid4()),
        "pupil": [pupils[n % len(pupils)]],
        "pupil_role": ["subject"],
        "occurred_on": time.strftime("%Y-%m-%d"),
        "occurred_at": "10:15",
        "location": setup["location"],
        "location_detail": "Load test (synthetic)",
        "what_happened": f"Synthetic load-test concern {n} by {user['username']}.",
        "child_voice": "'Synthetic words for a load test.'",
        "primary_category": setup["category"],
        "immediate_risk": "no",
        "actions_taken": "None: synthetic.",
    }


def status(code):
    return lambda r: None if r.status_code == code else f"status {r.status_code}"


def redirect_to(prefix):
    def check(response):
        location = response.headers.get("Location", "")
        if response.status_code == 302 and location.startswith(prefix):
            return None
        return f"status {response.status_code} to {location!r}"

    return check


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timing_table(results):
    """Markdown rows: requests and latency per step."""
    lines = [
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
    return [*lines, "", f"{total} requests in all.", ""]


class Database:
    """A PostgreSQL database of the test's own (never the one in DATABASE_URL),
    dropped by close(), pass or fail."""

    def __init__(self, prefix, server=POSTGRES):
        self.name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self.url = server.rsplit("/", 1)[0] + f"/{self.name}"
        self.admin = psycopg.connect(server, autocommit=True)
        self.admin.execute(f'CREATE DATABASE "{self.name}"')

    def close(self):
        try:
            self.admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            self.admin.close()


def gunicorn_command(port, *, workers, threads):
    return [
        str(BIN / "gunicorn"),
        "chronicle.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
        "--preload",  # load Django once, before the workers fork
        "--chdir",  # chronicle.wsgi puts the apps on sys.path itself
        str(ROOT / "site"),
    ]


def start(command, env, log, *, shell=False):
    """Start a process in a process group of its own (a server and its workers)."""
    return subprocess.Popen(  # noqa: S603 (our own fixed commands)
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        shell=shell,
    )


def stop(process, timeout=30):
    """SIGTERM to the whole group (gunicorn's master stops its workers); if it has
    not gone within the timeout, SIGKILL the lot."""
    if process.poll() is not None:
        _kill_group(process, signal.SIGKILL)  # any child it left behind
        return
    _kill_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process, signal.SIGKILL)
        process.wait(timeout=timeout)
    _kill_group(process, signal.SIGKILL)


def kill(process):
    """SIGKILL the process and its group: a machine losing power, no clean-up."""
    _kill_group(process, signal.SIGKILL)
    process.wait(timeout=30)


def _kill_group(process, signum):
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def wait_for_port(port, process, name, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited (status {process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            time.sleep(0.3)
            continue
        return
    raise RuntimeError(f"{name} did not start listening within {timeout} seconds")


def warm(base, requests_count=8):
    """First requests load templates and the URLconf: make them before timing."""
    for _n in range(requests_count):
        requests.get(f"{base}/admin/login/", timeout=120)


def exit_on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def unwind_on_sigterm():
    """SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so clean-up code runs."""
    signal.signal(signal.SIGTERM, exit_on_signal)


def ignore_sigterm():
    """While cleaning up: let it finish."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
