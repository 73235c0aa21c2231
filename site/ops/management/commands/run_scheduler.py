import signal
import threading

from django.core.management.base import BaseCommand

from ops.scheduler import JOBS, TICK_SECONDS, run_due, run_forever


class Command(BaseCommand):
    help = (
        "Run the application's schedule: "
        + "; ".join(f"{job.name} every {job.every}" for job in JOBS)
        + ". Safe to run on several servers at once: each job runs once per "
        "interval across all of them. SIGTERM or Ctrl+C finishes the job under way "
        "and stops."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run the jobs that are due now, then stop.",
        )
        parser.add_argument(
            "--tick",
            type=float,
            default=TICK_SECONDS,
            help=f"Seconds between looks for due jobs (default {TICK_SECONDS}).",
        )

    def handle(self, *args, once, tick, **options):
        if once:
            ran = run_due()
            self.stdout.write("Ran: " + (", ".join(ran) if ran else "nothing due"))
            return
        stopping = threading.Event()

        def stop(signum, frame):
            self.stdout.write("Scheduler stopping after the job under way.")
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("Scheduler running: " + ", ".join(j.name for j in JOBS))
        run_forever(stopping=stopping, tick=tick)
        self.stdout.write("Scheduler stopped.")
