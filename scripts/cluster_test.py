#!/usr/bin/env python3
"""The multi-node test (make cluster-test): two gunicorn app servers, the task
worker and two schedulers behind haproxy, all on loopback, sharing a fresh
PostgreSQL database, Redis and a file store; 50 staff submit concerns with
attachments through the balancer while one app server and then the worker are
killed (SIGKILL) and restarted.

    make cluster-test                  # report in var/cluster-report.md
    .venv/bin/python scripts/cluster_test.py --staff 20 --concerns 2

Then it checks, and reports with figures: no concern lost or doubled, every
attachment byte-identical from each app server, every notification emailed as one
message (a resend of the email in flight at the worker's kill keeps its
Message-ID), the API rate limit counted across both servers, one clock sweep at a
time although two schedulers run. A check whose process does not exist in this
repository is reported as NOT RUN (and the run fails). Exit status 0 only if every
check passed.

The processes run the commands of deploy/Procfile when it exists (what a deployment
runs). Everything it started is stopped, and its database
(chronicle_cluster_<random>), Redis database and files removed, pass or fail.
"""

import argparse
import atexit
import os
import random
import shlex
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import redis
import requests
from cluster_checks import (
    Check,
    balancer_summary,
    check_attachments,
    check_concerns,
    check_emails,
    check_rate_limit,
    check_sweeps,
    report,
    wait_for_queue,
)
from cluster_traffic import Chaos, Traffic
from harness import (
    BIN,
    POSTGRES,
    ROOT,
    Database,
    free_port,
    gunicorn_command,
    ignore_sigterm,
    kill,
    manage,
    manage_json,
    setup_people,
    start,
    stop,
    unwind_on_sigterm,
    wait_for_port,
)

PROCFILE = ROOT / "deploy" / "Procfile"
RUNNER = ROOT / "deploy" / "run"  # runs one line of a Procfile, as deployments do
LOGS = ROOT / "var" / "cluster-logs"
HAPROXY = """\
global
    maxconn 1024
    log stderr format raw local0 info

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 90s
    timeout server 90s
    retries 2
    option redispatch

frontend chronicle
    bind 127.0.0.1:{port}
    default_backend app

backend app
    balance roundrobin
    option httpchk
    http-check send meth GET uri {health} ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect {expect}
    timeout check 5s
    default-server inter 1s fall 2 rise 2
    server app1 127.0.0.1:{app1} check
    server app2 127.0.0.1:{app2} check
"""


class Cluster:
    """The processes, by name (app1, app2, worker, scheduler1, scheduler2,
    balancer), each in a process group of its own, with its log under
    var/cluster-logs/."""

    def __init__(self, env, commands):
        self.env, self.commands = env, commands
        self.processes, self.logs, self.started, self.how = {}, {}, {}, {}
        self.lock = threading.Lock()

    def start(self, name, command, **extra_env):
        LOGS.mkdir(parents=True, exist_ok=True)
        log = open(LOGS / f"{name}.log", "a")
        with self.lock:
            self.logs.setdefault(name, []).append(log)
            # The Procfile's commands, run by a shell as a process manager would.
            self.processes[name] = start(  # noqa: S604
                f"exec {command}", {**self.env, **extra_env}, log, shell=True
            )
            self.started[name] = self.started.get(name, 0) + 1
            self.how[name] = (command, extra_env)
        return self.processes[name]

    def restart(self, name):
        """Start it again as it was started (after a kill)."""
        command, extra_env = self.how[name]
        return self.start(name, command, **extra_env)

    def kill(self, name):
        kill(self.processes[name])

    def running(self, name):
        process = self.processes.get(name)
        return process is not None and process.poll() is None

    def stop_all(self):
        with self.lock:
            for process in reversed(list(self.processes.values())):
                stop(process)
            for logs in self.logs.values():
                for log in logs:
                    log.close()
            self.processes, self.logs = {}, {}


def process_commands(available, scratch):
    """How to start web, worker and scheduler: deploy/Procfile's lines, run through
    deploy/run as the container and systemd units run them, so this tests what a
    deployment runs; without a Procfile, main's own commands. Two changes for the
    test, in a copy of the Procfile: web binds to loopback, and the schedulers look
    for due jobs every second (so they contend all the time).

    Returns {name: what to run} and {name: the line it runs}."""
    lines = {}
    if PROCFILE.exists():
        for line in PROCFILE.read_text().splitlines():
            name, colon, command = line.partition(":")
            if colon and not name.lstrip().startswith("#") and command.strip():
                lines[name.strip()] = command.strip()
    if "web" not in lines:
        lines["web"] = shlex.join(gunicorn_command(0, workers=2, threads=4))
        lines["web"] = lines["web"].replace("127.0.0.1:0", "127.0.0.1:$PORT")
    lines["web"] = lines["web"].replace("0.0.0.0", "127.0.0.1")  # noqa: S104
    if "worker" not in lines and "db_worker" in available:
        lines["worker"] = "python manage.py db_worker"
    if "scheduler" not in lines and "run_scheduler" in available:
        lines["scheduler"] = "python manage.py run_scheduler"
    if "scheduler" in lines:
        lines["scheduler"] += " --tick 1"
    lines.pop("release", None)  # migrate: done before anything starts
    if PROCFILE.exists() and RUNNER.exists():
        copy = scratch / "Procfile"
        copy.write_text("".join(f"{name}: {line}\n" for name, line in lines.items()))
        runner = f"{shlex.quote(str(RUNNER))}"
        return {name: f"{runner} {name}" for name in lines}, lines, copy
    return dict(lines), lines, None


def free_redis_db():
    """A Redis database number nobody is using (the highest empty one): flushed at
    the end, and never one with keys in it."""
    for number in range(15, 0, -1):
        client = redis.Redis(host="127.0.0.1", port=6379, db=number)
        if client.dbsize() == 0:
            return number, client
        client.close()
    raise RuntimeError("no empty Redis database (1-15) at 127.0.0.1:6379")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--staff", type=int, default=50)
    parser.add_argument("--concerns", type=int, default=3)
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument(
        "--worker-kill",
        choices=["mid-task", "busy"],
        default="mid-task",
        help="kill the worker in the middle of sending an email (frozen there "
        "first), or at half-way whatever it is doing",
    )
    parser.add_argument("--report", type=Path, default=ROOT / "var/cluster-report.md")
    args = parser.parse_args(argv)

    unwind_on_sigterm()
    args.report.unlink(missing_ok=True)  # never leave last run's figures behind
    shutil.rmtree(LOGS, ignore_errors=True)
    began = time.monotonic()
    timings, checks, facts = {}, [], {}
    scratch = Path(tempfile.mkdtemp(prefix="chronicle-cluster-"))
    ports = {"balancer": free_port(), "app1": free_port(), "app2": free_port()}
    database = redis_client = cluster = None
    try:
        if not shutil.which("haproxy"):
            raise RuntimeError("haproxy is not installed (apt-get install haproxy)")
        database = Database("chronicle_cluster", args.postgres)
        redis_db, redis_client = free_redis_db()
        mail = scratch / "mail"
        mail.mkdir()
        env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "DJANGO_SETTINGS_MODULE": "chronicle.settings.dev",
            "DEBUG": "false",
            "DATABASE_URL": database.url,
            "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
            "MEDIA_ROOT": str(scratch / "media"),
            # The shared file store: both app servers and the worker use it.
            "PRIVATE_MEDIA_ROOT": str(scratch / "private-media"),
            # The schedulers sign audit checkpoints of this database: never into
            # var/audit-checkpoints, where they would contradict `make run`'s.
            "AUDIT_CHECKPOINT_DIR": str(scratch / "audit-checkpoints"),
            "EMAIL_URL": f"filemail:///{mail}",
            "WAGTAILADMIN_BASE_URL": f"http://127.0.0.1:{ports['balancer']}",
            "LOG_LEVEL": "WARNING",
            "WEB_CONCURRENCY": "2",  # per app server: 2 processes x 4 threads
            "WEB_THREADS": "4",
            # Files are not scanned here: clamd is not one of the processes tested.
            "MALWARE_SCAN": "off",
        }
        facts.update(database=database.name, redis_db=redis_db, ports=ports)

        step = time.monotonic()
        manage(env, "migrate", "--noinput")
        timings["migrate"] = time.monotonic() - step
        step = time.monotonic()
        manage(env, "demo", "--without-2fa")
        setup = setup_people(env, staff=args.staff, dsls=1, prefix="cluster")
        setup["token"] = manage_json(env, API_ACCESS.format(user=setup["dsls"][0]))
        available = manage(env, "help", "--commands").split()
        commands, lines, procfile = process_commands(available, scratch)
        if procfile is not None:
            env["PROCFILE"] = str(procfile)
        facts["commands"] = lines
        facts["runner"] = "deploy/run NAME" if procfile else "sh"
        timings["demo data, staff, a DSL, an API token"] = time.monotonic() - step

        step = time.monotonic()
        cluster = Cluster(env, commands)
        atexit.register(cluster.stop_all)
        for name in ("app1", "app2"):
            cluster.start(name, commands["web"], **_web_env(ports[name]))
        for name in ("app1", "app2"):
            wait_for_port(ports[name], cluster.processes[name], name, timeout=90)
        health = _health_path(ports["app1"])
        facts["health"] = health
        config = scratch / "haproxy.cfg"
        config.write_text(
            HAPROXY.format(
                port=ports["balancer"],
                health=health,
                expect="status 200"
                if health.startswith("/health")
                else "rstatus ^[23]",
                maxconn=int(env["WEB_CONCURRENCY"]) * int(env["WEB_THREADS"]),
                **ports,
            )
        )
        cluster.start("balancer", f"haproxy -db -f {shlex.quote(str(config))}")
        wait_for_port(ports["balancer"], cluster.processes["balancer"], "haproxy")
        if "worker" in commands:
            cluster.start("worker", commands["worker"])
        facts["schedulers_started"] = time.monotonic()
        if "scheduler" in commands:
            # Both look for due jobs every second, and log each run (JSON, timed).
            for name in ("scheduler1", "scheduler2"):
                cluster.start(
                    name, commands["scheduler"], LOG_LEVEL="INFO", LOG_FORMAT="json"
                )
        _wait_healthy(ports["balancer"])
        timings["processes started"] = time.monotonic() - step

        # Mail of the demo's own notifications is not this test's: let the queue
        # send it, then start counting from here.
        step = time.monotonic()
        facts["queue_before"] = wait_for_queue(env, after=0)
        facts["baseline"] = facts["queue_before"]["last_notification"]
        for path in mail.iterdir():
            path.unlink()
        timings["queue drained before traffic"] = time.monotonic() - step

        step = time.monotonic()
        traffic = Traffic(
            f"http://127.0.0.1:{ports['balancer']}",
            setup,
            concerns=args.concerns,
            rng=random.Random(18),  # noqa: S311 (synthetic data)
        )
        chaos = Chaos(
            cluster,
            traffic,
            ports,
            commands,
            env,
            mid_task=args.worker_kill == "mid-task",
        )
        traffic.run(chaos)
        timings["traffic (faults injected during it)"] = time.monotonic() - step
        facts["traffic"] = traffic.summary()
        facts["chaos"] = chaos.events

        step = time.monotonic()
        facts["queue_after"] = wait_for_queue(env, after=facts["baseline"])
        timings["queue drained after traffic"] = time.monotonic() - step

        step = time.monotonic()
        checks.extend(chaos.check())
        for name, check, *check_args in (
            ("concerns", check_concerns, env, traffic, scratch),
            ("attachments", check_attachments, env, traffic, setup, ports),
            ("emails", check_emails, env, mail, facts),
            ("rate limit", check_rate_limit, env, setup["token"], ports),
            ("clock sweeps", check_sweeps, env, cluster, facts, LOGS),
        ):
            try:
                checks.append(check(*check_args))
            except Exception as error:  # noqa: BLE001 - reported; the others still run
                problem = repr(error)[-600:]
                checks.append(Check(f"{name} (the check failed)", False, problem))
        timings["checks"] = time.monotonic() - step
        facts["balancer"] = balancer_summary(LOGS / "balancer.log")
    except Exception as error:
        checks.append(Check("the test ran to the end", False, f"{error!r}"))
        raise
    finally:
        ignore_sigterm()  # let the clean-up finish
        try:
            if cluster is not None:
                cluster.stop_all()
        finally:
            if redis_client is not None:
                redis_client.flushdb()
                redis_client.close()
            if database is not None:
                database.close()
            shutil.rmtree(scratch, ignore_errors=True)
            timings["whole test"] = time.monotonic() - began
            ok = report(args.report, args, checks, timings, facts)
            mark = {True: "PASS", False: "FAIL", None: "NOT RUN"}
            for check in checks:
                print(f"{mark[check.passed]:8} {check.name}")  # noqa: T201
            print(f"cluster test: {'PASS' if ok else 'FAIL'}, see {args.report}")  # noqa: T201
    return 0 if ok else 1


API_ACCESS = """
import json
from accounts.models import User
from api.conf import api_setting
from api.services import token_create
token, raw = token_create(user=User.objects.get(username="{user[username]}"),
    name="cluster test", scopes=["tasks"], days=1)
print(json.dumps({{"raw": raw, "rate": api_setting("CHRONICLE_API_RATE")}}))
"""


def _web_env(port):
    """An app server's own variables: its port, and (gunicorn 24+) no control
    socket, whose default path two servers on one machine would share."""
    from gunicorn.config import KNOWN_SETTINGS

    extra = {"PORT": str(port)}
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
        extra["GUNICORN_CMD_ARGS"] = "--no-control-socket"
    return extra


def _health_path(port):
    """The readiness endpoint when the application has one, else the front page."""
    try:
        response = requests.get(f"http://127.0.0.1:{port}/health/ready", timeout=30)
    except requests.RequestException:
        return "/"
    return "/health/ready" if response.status_code == 200 else "/"


def _wait_healthy(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/admin/login/", timeout=30).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError("the balancer did not pass a request within 60 seconds")


if __name__ == "__main__":
    sys.exit(main())
