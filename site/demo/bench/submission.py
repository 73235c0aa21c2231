"""What one concern submission costs end to end — the form page, then the POST
that validates, stores the records, starts the process, writes the audit entries and
notifies the team — as CPU time in this process (the web worker's share; the
database server's own CPU is not in it), wall time and queries. And the password
hasher's cost on its own: strong on purpose, so reported rather than tuned."""

import statistics
import time
import uuid

from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forms.models import ConcernFormPage
from records.models import Concern, InvolvementRole, Pupil
from taxonomy.models import Term, Vocabulary


def _timed(function):
    with CaptureQueriesContext(connection) as queries:
        cpu, wall = time.process_time(), time.perf_counter()
        response = function()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return response, cpu, wall, len(queries)


def _term(vocabulary, key):
    return Term.objects.get(vocabulary=vocabulary, key=key, school__isnull=True).pk


def submission_cost(client, *, school_id, runs=5):
    """Medians over `runs` submissions (after one warm-up) of the form page and
    the submission, each {cpu_ms, wall_ms, queries}."""
    page = ConcernFormPage.objects.get(slug="general-concern")
    url = page.url
    pupils = list(
        Pupil.objects.filter(school_id=school_id, date_left__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[1:3]
    )
    before = Concern.objects.count()
    form, post = [], []
    for n in range(runs + 1):
        got = _timed(lambda: client.get(url))
        answers = {
            "submission_key": str(uuid.uuid4()),
            "pupil": pupils,
            "pupil_role": [InvolvementRole.SUBJECT, InvolvementRole.WITNESS],
            "occurred_on": timezone.localdate().isoformat(),
            "occurred_at": "10:15",
            "location": _term(Vocabulary.LOCATION, "playground"),
            "what_happened": "Synthetic benchmark concern: pushed over at lunch.",
            "child_voice": "'He always does it.'",
            "primary_category": _term(Vocabulary.CATEGORY, "bullying"),
            "immediate_risk": "no",
            "q_has_anyone_else_been_told": "no",
        }
        sent = _timed(lambda answers=answers: client.post(url, answers))
        if sent[0].status_code != 302:
            raise RuntimeError(
                f"The benchmark's submission was refused ({sent[0].status_code})."
            )
        if n:  # the first is the warm-up
            form.append(got[1:])
            post.append(sent[1:])
    made = Concern.objects.count() - before
    if made != runs + 1:
        raise RuntimeError(f"{runs + 1} submissions made {made} concerns.")
    return {"form page": _medians(form), "submission": _medians(post)}


def _medians(samples):
    cpu, wall, queries = zip(*samples, strict=True)
    return {
        "cpu_ms": statistics.median(cpu) * 1000,
        "wall_ms": statistics.median(wall) * 1000,
        "queries": int(statistics.median(queries)),
    }


def hasher_cost(runs=5):
    """The default password hasher: its name, work factor, and the median time of
    one check (a sign-in) in ms."""
    hasher = get_hasher()
    encoded = make_password("benchmark-password-not-real")
    times = []
    for _n in range(runs):
        started = time.perf_counter()
        check_password("benchmark-password-not-real", encoded)
        times.append(time.perf_counter() - started)
    work = getattr(hasher, "iterations", None) or getattr(hasher, "time_cost", "")
    return {
        "hasher": hasher.algorithm,
        "work": work,
        "check_ms": statistics.median(times) * 1000,
    }
