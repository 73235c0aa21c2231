"""What the cluster test checks once the traffic is over (scripts/cluster_test.py),
and its report. Each check returns a Check: passed True or False, or None when the
piece it checks does not exist in this repository (reported as NOT RUN, never as
passed)."""

import email
import functools
import hashlib
import itertools
import json
import operator
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from email.utils import getaddresses

import psycopg
import requests
from harness import Client, Results, manage_json, timing_table

SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # between messages in a filebased mail file
QUEUE_TIMEOUT = 120  # seconds for the worker to send what is waiting


@dataclass
class Check:
    name: str
    passed: bool | None  # None: not run
    detail: str


def _sql(env, query, *params):
    with psycopg.connect(env["DATABASE_URL"]) as connection:
        return connection.execute(query, params).fetchall()


def task_counts(env):
    """Background tasks by status (django-tasks-db's table), {} without one."""
    table = "django_tasks_database_dbtaskresult"
    if not _sql(env, "SELECT to_regclass(%s) IS NOT NULL", table)[0][0]:
        return {}
    return dict(_sql(env, f"SELECT status, count(*) FROM {table} GROUP BY status"))  # noqa: S608


def emails_being_sent(env):
    """Notification emails a worker is sending: its task RUNNING, the lease on the
    notification held (workflows.tasks.claim_email), the email not gone out."""
    if not task_counts(env):
        return 0
    return _sql(
        env,
        "SELECT count(*) FROM django_tasks_database_dbtaskresult t"
        " JOIN workflows_notification n"
        "   ON n.id = (t.args_kwargs -> 'args' ->> 0)::bigint"
        " WHERE t.status = 'RUNNING' AND n.emailed_at IS NULL"
        "   AND n.email_claimed_at IS NOT NULL"
        "   AND t.task_path LIKE %s",
        "%.send_notification_email",
    )[0][0]


def wait_for_queue(env, *, after):
    """Until every notification after `after` has been emailed (or the timeout):
    the worker, restarted or not, must catch up on its own."""
    began = time.monotonic()
    while True:
        ((pending, last),) = _sql(
            env,
            "SELECT count(*) FILTER (WHERE n.id > %s AND n.emailed_at IS NULL"
            "   AND u.email <> ''), coalesce(max(n.id), 0)"
            " FROM workflows_notification n JOIN accounts_user u ON u.id = n.user_id",
            after,
        )
        waited = time.monotonic() - began
        if not pending or waited > QUEUE_TIMEOUT:
            return {
                "notifications not emailed": pending,
                "last_notification": last,
                "waited s": round(waited, 1),
                "tasks": task_counts(env),
            }
        time.sleep(1)


CONCERNS = """
import json
from records.models import Concern, ConcernAttachment
from workflows.models import CaseProcess
keys = json.load(open({keys!r}))
rows = {{}}
for key, pk in Concern.objects.filter(submission_key__in=keys).values_list(
        "submission_key", "pk"):
    rows.setdefault(str(key), []).append(pk)
with_process = set(CaseProcess.objects.filter(
    concern__submission_key__in=keys).values_list("concern_id", flat=True))
files = {{}}
for pk, concern, name, sha256 in ConcernAttachment.objects.filter(
        concern__submission_key__in=keys).values_list(
        "pk", "concern_id", "original_name", "sha256"):
    files.setdefault(concern, []).append([pk, name, sha256])
print(json.dumps({{"rows": rows, "with_process": sorted(with_process),
    "files": files}}))
"""


def _stored(env, traffic, scratch):
    keys_file = scratch / "keys.json"
    keys_file.write_text(json.dumps(list(traffic.sent)))
    return manage_json(env, CONCERNS.format(keys=str(keys_file)))


def check_concerns(env, traffic, scratch):
    stored = traffic.stored = _stored(env, traffic, scratch)
    sent, rows = traffic.sent, stored["rows"]
    acknowledged = [k for k, e in sent.items() if e["pk"] is not None]
    lost = [k for k in acknowledged if k not in rows]
    doubled = [k for k, pks in rows.items() if len(pks) > 1]
    wrong_pk = [k for k in acknowledged if k in rows and rows[k] != [sent[k]["pk"]]]
    never_acknowledged = [k for k, e in sent.items() if e["pk"] is None]
    without_process = [
        k for k, pks in rows.items() if not set(pks) <= set(stored["with_process"])
    ]
    files_short = [
        k
        for k, pks in rows.items()
        if len(stored["files"].get(str(pks[0]), [])) != len(sent[k]["files"])
    ]
    summary = traffic.summary()
    passed = (
        not (
            lost
            or doubled
            or wrong_pk
            or never_acknowledged
            or without_process
            or files_short
            or summary["errors"]
        )
        and len(sent) == traffic.total
    )
    detail = (
        f"{len(sent)} submitted by {summary['staff']} staff with "
        f"{summary['attachments']} attachments, {len(acknowledged)} acknowledged, "
        f"{sum(len(p) for p in rows.values())} stored; {len(lost)} lost, "
        f"{len(doubled)} duplicated, {len(never_acknowledged)} never acknowledged, "
        f"{len(without_process)} without a casework process, {len(files_short)} "
        f"with attachments missing; {summary['submissions resent']} submit "
        f"requests resent after a failure on the way; all requests resent: "
        f"{_counts(summary['retries'])}; {len(summary['errors'])} errors"
    )
    return Check("0 concerns lost or duplicated", passed, detail)


def check_attachments(env, traffic, setup, ports):
    """A DSL signs in once through the balancer (the session is shared), then
    downloads every attachment from each app server directly."""
    results = Results()
    dsl = Client(traffic.base, setup["dsls"][0], results, attempts=8)
    signed_in = dsl.sign_in()
    if signed_in is None or results.errors:
        return Check(
            "every attachment readable from each app server",
            False,
            "; ".join(results.errors),
        )
    expected = []  # (attachment pk, sha256 the client sent)
    for key, entry in traffic.sent.items():
        for pk in traffic.stored["rows"].get(key, [])[:1]:
            for attachment, name, _sha in traffic.stored["files"].get(str(pk), []):
                expected.append((attachment, entry["files"].get(name)))
    checks = [
        (f"http://127.0.0.1:{ports[server]}", attachment, sha)
        for server in ("app1", "app2")
        for attachment, sha in expected
    ]

    def fetch(job):
        base, attachment, sha = job
        try:
            response = dsl.http.get(
                f"{base}/records/attachments/{attachment}/", timeout=60
            )
        except requests.RequestException as error:
            return f"{base} attachment {attachment}: {error!r}"
        if response.status_code != 200:
            return f"{base} attachment {attachment}: status {response.status_code}"
        if hashlib.sha256(response.content).hexdigest() != sha:
            return f"{base} attachment {attachment}: bytes differ from those sent"
        return None

    with ThreadPoolExecutor(max_workers=6) as pool:
        problems = [p for p in pool.map(fetch, checks) if p]
    passed = bool(expected) and not problems
    detail = (
        f"{len(expected)} attachments x 2 app servers = {len(checks)} downloads by "
        f"a DSL (signed in once, through the balancer); {len(checks) - len(problems)} "
        f"byte-identical to what was sent"
        + (f"; problems: {'; '.join(problems[:5])}" if problems else "")
    )
    return Check("every attachment readable from each app server", passed, detail)


def _messages(mail):
    for path in sorted(mail.iterdir()):
        for raw in path.read_bytes().split(SEPARATOR):
            if raw.strip():
                yield email.message_from_bytes(raw)


def check_emails(env, mail, facts):
    """Every notification emailed, as one message per notification (counted by
    Message-ID, which names the notification); per recipient, as many messages as
    notifications. The worker is killed while it sends an email: if the mail file
    had already taken it, the retry sends it again, with the same Message-ID (no
    mail server can be asked whether it has a message). Such a resend is reported,
    and allowed only for the emails in flight at the kill."""
    rows = _sql(
        env,
        "SELECT n.id, u.email, n.emailed_at IS NOT NULL"
        " FROM workflows_notification n JOIN accounts_user u ON u.id = n.user_id"
        " WHERE n.id > %s AND u.email <> ''",
        facts["baseline"],
    )
    expected = Counter(address.lower() for _pk, address, _sent in rows)
    unsent = [pk for pk, _address, sent in rows if not sent]
    copies, recipients = Counter(), {}
    for message in _messages(mail):
        ident = str(message.get("Message-ID", "")).strip()
        copies[ident] += 1
        recipients[ident] = [
            a.lower() for _n, a in getaddresses(message.get_all("To", []))
        ]
    delivered = Counter(a for ident in copies for a in recipients[ident])
    named = Counter(
        int(match.group(1))
        for ident in copies
        if (match := re.match(r"<notification-(\d+)\.", ident))
    )
    wrong = {
        address: (expected[address], delivered[address])
        for address in set(expected) | set(delivered)
        if expected[address] != delivered[address]
    }
    ids = {pk for pk, _address, _sent in rows}
    missing = ids - set(named)
    twice = [pk for pk, count in named.items() if count > 1]
    resent = sum(count - 1 for count in copies.values() if count > 1)
    in_flight = (
        facts.get("chaos", {}).get("worker", {}).get("emails being sent then", 0)
    )
    detail = (
        f"{len(rows)} notifications to {len(expected)} people while staff submitted;"
        f" {len(copies)} messages delivered ({sum(copies.values())} copies);"
        f" {len(unsent)} never emailed; {len(missing)} notifications with no message;"
        f" {len(twice)} with two different messages;"
        f" {resent} resent with the same Message-ID after the worker was killed"
        f" ({in_flight} email(s) in flight then); "
        f"{len(wrong)} people with a different count"
        + (f" (expected, delivered): {dict(list(wrong.items())[:5])}" if wrong else "")
    )
    passed = (
        bool(rows)
        and not unsent
        and not wrong
        and not missing
        and not twice
        and resent <= in_flight
    )
    if unsent:
        queue = facts.get("queue_after", {})
        detail += f"; the queue after waiting: {queue}"
        if queue.get("tasks", {}).get("RUNNING"):
            detail += (
                "; a task still RUNNING has no worker (the killed one ran it): "
                "nothing took it up again within the wait"
            )
    return Check("every notification emailed, as one message each", passed, detail)


PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600}


def check_rate_limit(env, token, ports):
    """One token, requests alternating between the two app servers directly: the
    limit must be reached at the configured number in total."""
    count, period = token["rate"].split("/")
    count, period = int(count), PERIODS.get(period, 86400)
    if period < 60:
        return Check(
            "API rate limit shared across servers",
            None,
            f"NOT RUN: rate {token['rate']} is too short to measure",
        )
    headers = {"Authorization": f"Bearer {token['raw']}", "Connection": "close"}
    for _try in range(2):
        # Start in a fresh window, so every request falls in the same one.
        if period - time.time() % period < 30:
            time.sleep(period - time.time() % period + 0.5)
        window = int(time.time() // period)
        answers = Counter()
        for n in range(count + 20):
            server = ("app1", "app2")[n % 2]
            response = requests.get(
                f"http://127.0.0.1:{ports[server]}/api/v1/token",
                headers=headers,
                timeout=30,
            )
            answers[server, response.status_code] += 1
        if int(time.time() // period) == window:
            break
    allowed = answers["app1", 200] + answers["app2", 200]
    other = {f"{s} {c}": n for (s, c), n in answers.items() if c not in (200, 429)}
    refused = answers["app1", 429] + answers["app2", 429]
    passed = allowed == count and answers["app1", 429] and answers["app2", 429]
    detail = (
        f"limit {token['rate']}; {count + 20} requests with one token, alternating "
        f"between app 1 and app 2: {allowed} allowed "
        f"({answers['app1', 200]} + {answers['app2', 200]}), {refused} refused (429)"
        f"; other answers: {_counts(other)}"
    )
    return Check("API rate limit shared across servers", bool(passed), detail)


SCHEDULE = """
import json
from ops.models import ScheduledRun
from ops.scheduler import JOBS
run = ScheduledRun.objects.filter(job="clock").first()
print(json.dumps({
    "every": {job.name: job.every.total_seconds() for job in JOBS}["clock"],
    "runs": run.runs if run else 0,
    "finished": bool(run and run.finished_at),
}))
"""
SWEEP = re.compile(r"^Scheduled job clock\b")


def check_sweeps(env, cluster, facts, logs):
    """Two schedulers, both looking every second: the clock sweep must run once
    per interval in all (the ScheduledRun row's count, and the schedulers' own
    logs), its runs never overlapping."""
    name = "one clock sweep at a time although two schedulers run"
    if "scheduler" not in facts["commands"]:
        return Check(
            name,
            None,
            "NOT RUN: this repository has no scheduler process (no deploy/Procfile "
            "scheduler line, no manage.py run_scheduler)",
        )
    row = manage_json(env, SCHEDULE)
    runs = {}  # scheduler -> start times of its sweeps
    for scheduler in ("scheduler1", "scheduler2"):
        runs[scheduler] = []
        for line in (logs / f"{scheduler}.log").read_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and SWEEP.match(str(entry.get("message"))):
                runs[scheduler].append(entry.get("time", ""))
    alive = [s for s in runs if cluster.running(s)]
    logged = sum(len(times) for times in runs.values())
    lifetime = time.monotonic() - facts["schedulers_started"]
    # Once when they start (within a minute: loading Django), then once an interval.
    most = 1 + int(lifetime // row["every"])
    least = 1 + int(max(lifetime - 60, 0) // row["every"])
    starts = sorted(
        datetime.fromisoformat(t.replace(",", "."))
        for t in functools.reduce(operator.iadd, runs.values(), [])
    )
    # Two runs closer than the interval: the sweep ran twice in one interval.
    close = [
        pair
        for pair in itertools.pairwise(starts)
        if (pair[1] - pair[0]).total_seconds() < row["every"] - 5
    ]
    passed = (
        len(alive) == 2
        and row["finished"]
        and row["runs"] == logged
        and least <= logged <= most
        and not close
    )
    detail = (
        f"2 schedulers checking every second for {lifetime:.0f} s, the sweep due "
        f"every {row['every']:.0f} s: expected "
        f"{least if least == most else f'{least} or {most}'} sweep(s) in all "
        f"(not twice that), recorded {row['runs']} (ScheduledRun), logged {logged} "
        f"({', '.join(f'{s}: {len(t)}' for s, t in runs.items())}); "
        f"{len(close)} pair(s) of runs within one interval; "
        f"schedulers still running at the end: {len(alive)} of 2"
    )
    return Check(name, bool(passed), detail)


ANSWERED = re.compile(r" chronicle (?:app/(app\d)|chronicle/<NOSRV>) \S+ (\d{3}) ")
STATE = re.compile(r"^Server app/(app\d) is (UP|DOWN)")


def balancer_summary(log):
    """From haproxy's log: answers per app server, and each server's ups and downs
    as the health checks saw them."""
    answers, states = Counter(), []
    for line in log.read_text(errors="replace").splitlines():
        if found := ANSWERED.search(line):
            answers[f"{found.group(1) or 'no server'} {found.group(2)}"] += 1
        elif found := STATE.match(line):
            states.append(f"{found.group(1)} {found.group(2)}")
    return {"answers": dict(sorted(answers.items())), "health": states}


def _counts(counter):
    return ", ".join(f"{k}: {v}" for k, v in counter.items()) or "none"


def report(path, args, checks, timings, facts):
    ok = bool(checks) and all(check.passed for check in checks)
    mark = {True: "PASS", False: "FAIL", None: "NOT RUN"}
    lines = [
        "# Cluster test",
        "",
        f"- {time.strftime('%Y-%m-%d %H:%M:%S %Z')}: two gunicorn app servers, "
        "the worker and two schedulers behind haproxy on loopback; PostgreSQL "
        f"database {facts.get('database', '?')}, Redis database "
        f"{facts.get('redis_db', '?')}, one shared file store",
        f"- {args.staff} staff, {args.concerns} concerns each, with attachments",
        f"- result: **{'PASS' if ok else 'FAIL'}**",
        "",
        "| check | result | figures |",
        "|---|---|---|",
    ]
    for check in checks:
        detail = check.detail.replace("|", "/")
        lines.append(f"| {check.name} | {mark[check.passed]} | {detail} |")
    lines += ["", "## Timings", "", "| step | seconds |", "|---|---:|"]
    lines += [f"| {step} | {seconds:.1f} |" for step, seconds in timings.items()]
    traffic = facts.get("traffic")
    if traffic:
        lines += ["", "## Requests through the balancer", ""]
        lines += timing_table(traffic["timings"])
        if traffic["errors"]:
            lines += ["## Errors", ""] + [f"- {e}" for e in traffic["errors"][:30]]
    lines += ["", "## Faults, balancer, queue", ""]
    for name, event in facts.get("chaos", {}).items():
        lines.append(f"- {name} killed: {event}")
    balancer = facts.get("balancer", {})
    if balancer:
        lines.append(f"- haproxy's answers by app server: {balancer['answers']}")
        lines.append(f"- haproxy's health checks saw: {', '.join(balancer['health'])}")
    for when in ("before", "after"):
        if f"queue_{when}" in facts:
            lines.append(f"- queue {when} the traffic: {facts[f'queue_{when}']}")
    lines += ["", "## Processes (commands)", ""]
    if facts.get("runner") == "deploy/run NAME":
        lines.append(
            "Run by `deploy/run NAME` from deploy/Procfile, with web bound to "
            "loopback and the schedulers looking every second (`--tick 1`):"
        )
    for name, command in facts.get("commands", {}).items():
        lines.append(f"- {name}: `{command}`")
    lines.append(f"- health check by haproxy: `{facts.get('health', '?')}`")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return ok
