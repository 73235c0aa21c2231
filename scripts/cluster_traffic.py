"""The cluster test's traffic and faults (scripts/cluster_test.py): staff who
submit concerns with attachments through the balancer and retry, with the same
submission key, whatever failed on the way; and the faults injected meanwhile (an
app server, then the worker, killed with SIGKILL and started again)."""

import hashlib
import os
import random
import re
import signal
import struct
import threading
import time
import zlib

from cluster_checks import Check, emails_being_sent, task_counts
from harness import Client, Results, concern_answers, status, wait_for_port

ATTEMPTS = 8  # per request, with back-off: the balancer needs a second or two
SUBMITTED = re.compile(r"\?submitted=(\d+)$")


class Traffic:
    """Every staff member signs in (at some moment in the first few seconds, as
    people do), waits for all the others, then submits."""

    def __init__(self, base, setup, *, concerns, rng):
        self.base, self.setup, self.concerns = base, setup, concerns
        self.results = Results()
        self.lock = threading.Lock()
        self.sent = {}  # submission key -> what was sent and what came back
        self.seeds = {u["username"]: rng.random() for u in setup["users"]}
        self.total = len(setup["users"]) * concerns
        self.acknowledged = 0
        self.started_at = self.finished_at = None

    def elapsed(self):
        return time.monotonic() - self.started_at if self.started_at else 0.0

    def run(self, chaos):
        start_line = threading.Barrier(len(self.setup["users"]) + 1)
        staff = [
            threading.Thread(target=self._staff, args=(user, start_line), daemon=True)
            for user in self.setup["users"]
        ]
        for member in staff:
            member.start()
        start_line.wait(timeout=600)
        self.started_at = time.monotonic()
        chaos.start()
        for member in staff:
            member.join(timeout=600)
        self.finished_at = self.elapsed()
        chaos.join(timeout=300)

    def _staff(self, user, start_line):
        client = Client(self.base, user, self.results, attempts=ATTEMPTS)
        rng = random.Random(self.seeds[user["username"]])  # noqa: S311 (synthetic)
        try:
            try:
                time.sleep(rng.uniform(0, 10))
                client.sign_in()
                client.timed("form page", "GET", self.setup["form_url"], status(200))
            finally:
                start_line.wait(timeout=600)
            for n in range(self.concerns):
                time.sleep(rng.uniform(0.2, 1.5))  # reading, typing
                self._submit(client, rng, n)
        except Exception as error:  # noqa: BLE001 - counted, so the run fails
            self.results.record("staff thread", 0.0, repr(error))

    def _submit(self, client, rng, n):
        data = concern_answers(self.setup, client.user, n, client.csrf())
        key = data["submission_key"]
        files = _attachments(rng, key)
        entry = {
            "by": client.user["username"],
            "files": {
                name: hashlib.sha256(body).hexdigest() for name, body, _ in files
            },
            "pk": None,
        }
        with self.lock:
            self.sent[key] = entry
        response = client.timed(
            "submit concern",
            "POST",
            self.setup["form_url"],
            _acknowledged,
            data=data,
            files=[("attachments", file) for file in files],
        )
        found = response is not None and SUBMITTED.search(
            response.headers.get("Location", "")
        )
        if response is not None and response.status_code == 302 and found:
            with self.lock:
                entry["pk"] = int(found.group(1))
                self.acknowledged += 1

    def summary(self):
        retries = self.results.retries
        return {
            "staff": len(self.setup["users"]),
            "submissions": len(self.sent),
            "acknowledged": self.acknowledged,
            "attachments": sum(len(e["files"]) for e in self.sent.values()),
            "retries": {f"{s}, {why}": n for (s, why), n in retries.items()},
            "submissions resent": sum(
                n for (step, _), n in retries.items() if step == "submit concern"
            ),
            "errors": list(self.results.errors),
            "wall": self.finished_at,
            "timings": self.results,
        }


def _acknowledged(response):
    location = response.headers.get("Location", "")
    if response.status_code == 302 and SUBMITTED.search(location):
        return None
    return f"status {response.status_code} to {location!r}"


def _attachments(rng, key):
    """One or two files: a text note always, a small PNG photo for some."""
    lines = [
        f"Synthetic attachment for {key}, line {n}: {rng.random()}"
        for n in range(rng.randint(20, 1500))
    ]
    files = [("note.txt", "\n".join(lines).encode(), "text/plain")]
    if rng.random() < 0.5:
        files.append(("photo.png", _png(rng), "image/png"))
    return files


def _png(rng, size=24):
    """A real PNG of random pixels (the upload check sniffs the content)."""
    rows = b"".join(
        b"\x00" + bytes(rng.randrange(256) for _ in range(size * 3))
        for _ in range(size)
    )

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class Chaos(threading.Thread):
    """Once a fifth of the submissions are in, SIGKILL app server 1 (its master and
    workers, mid-request) and start it again; from half-way, as soon as the worker
    is running a task, the same to the worker."""

    DOWN_FOR = 2.0  # seconds before starting it again

    def __init__(self, cluster, traffic, ports, commands, env, *, mid_task=True):
        super().__init__(daemon=True)
        self.mid_task = mid_task
        self.cluster, self.traffic = cluster, traffic
        self.ports, self.commands, self.env = ports, commands, env
        self.events = {}
        self.error = None

    def run(self):
        try:
            self._fault("app1", 0.2)
            if "worker" in self.commands:
                self._fault("worker", 0.5)
        except Exception as error:  # noqa: BLE001 - reported as a failed check
            self.error = repr(error)

    def _wait_for(self, fraction):
        traffic = self.traffic
        while traffic.acknowledged < fraction * traffic.total:
            if traffic.finished_at is not None:
                return
            time.sleep(0.05)

    def _fault(self, name, fraction):
        traffic = self.traffic
        self._wait_for(fraction)
        event = {}
        if name == "worker":
            self._catch_mid_task(event)
        event.update(
            {
                "killed at s": round(traffic.elapsed(), 1),
                "acknowledged then": traffic.acknowledged,
                "during traffic": traffic.finished_at is None,
            }
        )
        self.cluster.kill(name)
        if name == "worker":  # what it was doing: a task left RUNNING has no worker
            event["running when killed"] = task_counts(self.env).get("RUNNING", 0)
        time.sleep(self.DOWN_FOR)
        process = self.cluster.restart(name)
        event["restarted at s"] = round(traffic.elapsed(), 1)
        if name.startswith("app"):
            wait_for_port(self.ports[name], process, name, timeout=90)
            event["listening again at s"] = round(traffic.elapsed(), 1)
        self.events[name] = event

    def _catch_mid_task(self, event):
        """Freeze the worker (SIGSTOP) until it is caught in the middle of sending
        a notification email that has not gone out yet, as a crash would find it
        (a task takes milliseconds, too short to aim a kill at). Gives up after 20
        seconds; leaves it frozen either way, for the kill that follows."""
        process = self.cluster.processes["worker"]
        deadline = time.monotonic() + 20
        while self.traffic.finished_at is None and time.monotonic() < deadline:
            os.killpg(process.pid, signal.SIGSTOP)
            event["emails being sent then"] = emails_being_sent(self.env)
            if event["emails being sent then"] or not self.mid_task:
                break
            os.killpg(process.pid, signal.SIGCONT)
            time.sleep(0.01)
        event["tasks then"] = task_counts(self.env)

    def check(self):
        checks = []
        for name, label in (("app1", "app server 1"), ("worker", "worker")):
            title = f"{label} killed (SIGKILL) and restarted during traffic"
            if (
                name not in self.events
                and name == "worker"
                and ("worker" not in self.commands)
            ):
                detail = (
                    "NOT RUN: this repository has no worker process (no "
                    "deploy/Procfile worker line, no manage.py db_worker)"
                )
                checks.append(Check(title, None, detail))
                continue
            event = self.events.get(name, {})
            detail = ", ".join(f"{k} {v}" for k, v in event.items()) or "not done"
            if self.error:
                detail += f"; error: {self.error}"
            passed = bool(event.get("during traffic")) and not self.error
            checks.append(Check(title, passed, detail))
        return checks
