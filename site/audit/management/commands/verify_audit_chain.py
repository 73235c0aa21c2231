from argparse import BooleanOptionalAction
from datetime import UTC, datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit import chain, checkpoints
from audit.models import ChainedLogEntry


def _moment(text):
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Check that no audit entry was altered or removed: walk the keyed chain and "
        "compare it with the signed checkpoints (AUDIT_CHECKPOINT_DIR). Exits "
        "non-zero and names every broken entry, and how many entries are missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=_moment,
            help="compare with the checkpoints written at or before this time "
            "(ISO 8601): for a backup, its manifest's 'created'",
        )
        parser.add_argument(
            "--require-checkpoint",
            action=BooleanOptionalAction,
            default=None,
            help="fail if there is no checkpoint to compare with (default: "
            "AUDIT_REQUIRE_CHECKPOINT, on in production: without a checkpoint a log "
            "emptied or rewritten without the key cannot be told from a new one)",
        )

    def handle(self, *args, as_of=None, require_checkpoint=None, **options):
        if require_checkpoint is None:
            require_checkpoint = settings.AUDIT_REQUIRE_CHECKPOINT
        found, problems = checkpoints.valid(as_of=as_of)
        checkpoint = found[-1] if found else None
        # Every checkpoint was written by a site with the key: from the end of the
        # earliest one on, an unkeyed entry is a rewrite (chain._check_key).
        earliest = min(found, key=lambda c: c.last_id) if found else None
        report = chain.walk(
            ChainedLogEntry,
            marks=[c.last_id for c in found],
            keyed_after=earliest.last_id if earliest else None,
            keyed_since=earliest.describe() if earliest else "",
        )
        problems = list(report.problems) + problems
        if checkpoint is not None:
            problems += checkpoints.against_all(found, report)
        elif require_checkpoint:
            problems.append(
                f"no checkpoint in {checkpoints.directory()} to compare with"
            )
        if problems:
            more = report.problem_count - len(report.problems)
            lines = [f"  {problem}" for problem in problems]
            if more > 0:
                lines.append(f"  … and {more} more broken entries")
            raise CommandError(
                f"Audit chain broken ({report.count} entries):\n" + "\n".join(lines)
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {report.count} entries.")
        )
        if checkpoint is None:
            self.stdout.write(
                self.style.WARNING(
                    f"No checkpoint in {checkpoints.directory()}: entries removed "
                    "from the end of the log cannot be detected. Run manage.py "
                    "audit_checkpoint on a schedule (docs/operations.md)."
                )
            )
        else:
            since = report.count - report.upto(checkpoint.last_id)[0]
            self.stdout.write(
                f"Matches the {checkpoint.describe()}; {since} entries written since."
            )
        if report.unkeyed:
            self.stdout.write(
                f"{report.unkeyed} entries from before the chain was keyed are "
                "covered by the keyed entries after them."
                if report.count > report.unkeyed
                else f"{report.unkeyed} entries are not keyed yet (written before "
                "AUDIT_HMAC_KEY): the next entry will cover them."
            )
