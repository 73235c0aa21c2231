"""The jobs the scheduler runs (ops.scheduler.JOBS). Each is safe to run again and
from any process; each returns a small summary of counts (never case content) that
the scheduler logs."""

from datetime import timedelta

from django.conf import settings
from django.urls import get_resolver
from django.utils import timezone

from .retries import stalled_tasks_recover


def clock() -> dict:
    """Reminders, escalations, agency chases and review reopenings
    (workflows.services.clock_sweep, as `manage.py run_clock`)."""
    from workflows.services import clock_sweep

    _ = get_resolver().url_patterns  # links in notifications need the URLconf
    return clock_sweep()


def orphan_files() -> dict:
    """Stored files no record points at, a day after they were written
    (records.orphans, as `manage.py remove_orphan_files`)."""
    from records.orphans import orphan_files_remove

    return {"removed": len(orphan_files_remove())}


def draft_expiry(*, now=None) -> dict:
    """Concern drafts nobody has touched for CHRONICLE_DRAFT_DAYS are deleted: what
    someone typed about a child and never sent must not be kept for ever, outside
    the child's file and its retention. Each deletion is in the audit log (the
    draft's text is not)."""
    from forms.models import ConcernDraft

    cutoff = (now or timezone.now()) - timedelta(days=settings.CHRONICLE_DRAFT_DAYS)
    removed = 0
    for draft in ConcernDraft.objects.filter(saved_at__lt=cutoff):
        draft.delete()
        removed += 1
    return {"removed": removed}


def audit_checkpoint() -> dict:
    """A signed checkpoint of the audit chain, written outside the database
    (audit.checkpoints, as `manage.py audit_checkpoint`): entries removed from the
    end of the log since the last one are then found by verify_audit_chain."""
    from audit.checkpoints import write
    from audit.models import ChainedLogEntry

    checkpoint, _path = write(model=ChainedLogEntry)
    return {"last_id": checkpoint.last_id, "count": checkpoint.count}


def stalled_tasks() -> dict:
    """Background tasks left running by a worker that stopped (ops.retries)."""
    return {"recovered": stalled_tasks_recover()}
