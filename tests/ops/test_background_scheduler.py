"""The application's schedule (`manage.py run_scheduler`): which jobs are due, that
they do their work, and that two schedulers running at once run each job once."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from forms.models import ConcernDraft
from ops.models import ScheduledRun
from ops.scheduler import ABANDONED_AFTER, Job, is_due, job_lock, lock_key, run_due
from workflows.models import CaseTask, Notification

from ..builders import open_task
from ..forms.conftest import form_page  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

NOW = timezone.now()
EVERY = timedelta(minutes=5)


def run(started_minutes_ago, finished=True):
    started = NOW - timedelta(minutes=started_minutes_ago)
    return ScheduledRun(
        job="clock",
        started_at=started,
        finished_at=started + timedelta(seconds=3) if finished else None,
    )


@pytest.mark.parametrize(
    ("last", "due"),
    [
        (None, True),  # never ran
        (run(1), False),  # ran a minute ago
        (run(5), True),  # its interval has passed
        (run(60), True),
        (run(6, finished=False), False),  # still running elsewhere: not overlapped
        (run(ABANDONED_AFTER.total_seconds() / 60 + 1, finished=False), True),
    ],
    ids=["never", "recent", "interval", "long-ago", "running", "abandoned"],
)
def test_a_job_is_due_when_its_last_start_is_older_than_its_interval(last, due):
    assert is_due(last, EVERY, NOW) is due


def counting_job(name="clock", every=EVERY):
    calls = []
    return Job(name, every, lambda: calls.append(1), "a job", "often"), calls


def test_a_job_runs_again_only_after_its_interval():
    job, calls = counting_job()

    assert run_due(now=NOW, jobs_to_run=(job,)) == ["clock"]
    assert run_due(now=NOW + timedelta(minutes=4), jobs_to_run=(job,)) == []
    assert run_due(now=NOW + timedelta(minutes=5), jobs_to_run=(job,)) == ["clock"]

    assert len(calls) == 2
    run_row = ScheduledRun.objects.get(job="clock")
    assert run_row.runs == 2 and run_row.succeeded and run_row.finished_at


def test_a_failing_job_is_recorded_and_the_others_still_run():
    def broken():
        raise ConnectionError("the file store is away")

    ok, calls = counting_job("draft_expiry")
    failing = Job("orphan_files", EVERY, broken, "a job", "often")

    assert run_due(now=NOW, jobs_to_run=(failing, ok)) == [
        "orphan_files",
        "draft_expiry",
    ]

    assert len(calls) == 1
    row = ScheduledRun.objects.get(job="orphan_files")
    assert row.succeeded is False and row.error == "ConnectionError"


def test_run_scheduler_once_runs_the_clock_and_expires_old_drafts(
    submit,
    dsl,
    form_page,  # noqa: F811 - the fixture
    private_storage,
):
    """The real jobs: an urgent concern left for two hours reminds the team; a
    draft untouched for 31 days goes, yesterday's stays."""
    task = open_task(submit(immediate_risk=True), "triage")
    CaseTask.objects.filter(pk=task.pk).update(created=NOW - timedelta(hours=2))
    old = ConcernDraft.objects.create(user=dsl, page=form_page, data={"x": ["y"]})
    ConcernDraft.objects.filter(pk=old.pk).update(saved_at=NOW - timedelta(days=31))
    staff_draft = ConcernDraft.objects.create(
        user=task.concern.recorded_by, page=form_page, data={"x": ["z"]}
    )
    ConcernDraft.objects.filter(pk=staff_draft.pk).update(
        saved_at=NOW - timedelta(days=1)
    )

    call_command("run_scheduler", "--once")

    reminders = Notification.objects.filter(task=task, kind="reminder")
    assert reminders.exists()
    told = reminders.count()
    assert list(ConcernDraft.objects.all()) == [staff_draft]
    ran = {run.job: run.succeeded for run in ScheduledRun.objects.all()}
    for job in (
        "clock",
        "stalled_tasks",
        "orphan_files",
        "retention_reviews",
        "draft_expiry",
    ):
        assert ran[job] is True, job

    call_command("run_scheduler", "--once")  # nothing is due a moment later
    assert ScheduledRun.objects.get(job="clock").runs == 1
    assert reminders.count() == told


def _in_thread(target):
    """Run target() on its own thread, hence its own database connection."""
    out = []

    def body():
        try:
            out.append(target())
        finally:
            connection.close()

    thread = threading.Thread(target=body)
    thread.start()
    return thread, out


def test_two_schedulers_at_once_run_the_sweep_once():
    job, calls = counting_job()
    if connection.vendor == "postgresql":
        # Two schedulers, each with its own connection, started together.
        start = threading.Barrier(2)

        def scheduler():
            start.wait()
            return run_due(jobs_to_run=(job,))

        try:
            started = [_in_thread(scheduler) for _ in range(2)]
            for thread, _out in started:
                thread.join()
            results = [out[0] for _thread, out in started]
        finally:  # the threads committed their rows: leave the database as found
            thread, _out = _in_thread(
                lambda: ScheduledRun.objects.filter(job="clock").delete()
            )
            thread.join()
    else:
        # SQLite lets one connection write at a time: the second scheduler comes
        # after the first, at the same moment.
        results = [run_due(now=NOW, jobs_to_run=(job,)) for _ in range(2)]

    assert sorted(results) == [[], ["clock"]]
    assert len(calls) == 1


def test_a_job_under_way_elsewhere_is_not_started_again():
    job, calls = counting_job()
    if connection.vendor == "postgresql":
        # Another scheduler holds the job's advisory lock.
        holding, release = threading.Event(), threading.Event()

        def other_scheduler():
            with job_lock("clock") as locked:
                holding.set()
                release.wait(timeout=60)
                return locked

        thread, out = _in_thread(other_scheduler)
        holding.wait(timeout=60)
        try:
            assert run_due(jobs_to_run=(job,)) == []
        finally:
            release.set()
            thread.join()
        assert out == [True]
        assert lock_key("clock") != lock_key("orphan_files")
    else:
        # Another scheduler started it 6 minutes ago and has not finished.
        ScheduledRun.objects.create(
            job="clock", started_at=NOW - timedelta(minutes=6), finished_at=None
        )
        assert run_due(now=NOW, jobs_to_run=(job,)) == []
        ScheduledRun.objects.filter(job="clock").update(finished_at=NOW)

    assert calls == []
    assert run_due(now=NOW + timedelta(minutes=10), jobs_to_run=(job,)) == ["clock"]
    assert calls == [1]


def test_dsls_are_told_once_of_files_reaching_their_retention_review(
    school, dsl, staff
):
    from ops import jobs

    from ..factories import PupilFactory

    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)

    def born_25_years_before(day):
        return day.replace(year=day.year - 25)

    left = today - timedelta(days=3000)
    PupilFactory(
        school=school, date_of_birth=born_25_years_before(today), date_left=left
    )
    # Still on roll, or not 25 until next month: not for review.
    PupilFactory(school=school, date_of_birth=born_25_years_before(today))
    PupilFactory(
        school=school,
        date_of_birth=born_25_years_before(today + timedelta(days=30)),
        date_left=left,
    )

    assert jobs.retention_reviews(today=today) == {"files": 1, "schools": 1}

    (told,) = Notification.objects.all()
    assert told.user == dsl
    assert told.url == "/admin/files/retention/"
    assert told.message.startswith("1 file at ")
    assert "Testchild" not in told.message  # no child is named

    # The run succeeded today; tomorrow only the files reaching review tomorrow.
    ScheduledRun.objects.create(
        job="retention_reviews", started_at=NOW, succeeded_at=NOW, finished_at=NOW
    )
    PupilFactory(
        school=school, date_of_birth=born_25_years_before(tomorrow), date_left=left
    )
    assert jobs.retention_reviews(today=tomorrow) == {"files": 1, "schools": 1}
    assert Notification.objects.count() == 2


def test_sigterm_finishes_the_job_under_way_then_stops_the_scheduler(monkeypatch):
    """The real command and a real SIGTERM, sent by the first job to its own
    process: that job finishes, the next one is not started, the command ends."""
    import os
    import signal
    from io import StringIO

    from ops import scheduler

    finished = []

    def terminated_mid_job():
        os.kill(os.getpid(), signal.SIGTERM)
        finished.append("first")

    monkeypatch.setattr(
        scheduler,
        "JOBS",
        (
            Job("clock", EVERY, terminated_mid_job, "a job", "often"),
            Job("orphan_files", EVERY, lambda: finished.append("next"), "a", "b"),
        ),
    )
    # Between passes the scheduler drops a connection not in autocommit mode, as
    # a real process would; here that would end the test's own transaction.
    monkeypatch.setattr(scheduler, "close_old_connections", lambda: None)
    kept = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    out = StringIO()
    # Should SIGTERM not stop it, the loop would wait for ever: after two minutes
    # Ctrl+C stops it instead, and the test fails.
    watchdog_fired = []
    watchdog = threading.Timer(
        120, lambda: (watchdog_fired.append(1), os.kill(os.getpid(), signal.SIGINT))
    )
    watchdog.start()
    try:
        call_command("run_scheduler", "--tick=3600", stdout=out)
    finally:
        watchdog.cancel()
        for sig, handler in kept.items():
            signal.signal(sig, handler)

    assert not watchdog_fired
    assert finished == ["first"]
    assert "Scheduler stopped." in out.getvalue()
    assert ScheduledRun.objects.get(job="clock").succeeded is True
    assert not ScheduledRun.objects.filter(job="orphan_files").exists()
