"""The jobs the scheduler runs (ops.scheduler.JOBS). Each is safe to run again and
from any process; each returns a small summary of counts (never case content) that
the scheduler logs."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.utils.translation import ngettext
from django_tasks_db.models import DBTaskResult

from accounts.models import Role, School, User
from audit import checkpoints
from audit.models import ChainedLogEntry
from forms.models import ConcernDraft
from records.models import Pupil
from records.orphans import orphan_files_remove
from records.retention.selectors import born_on_or_before
from records.scanning import ScannerUnavailable, scanning_on
from records.uploads import held_files_scan
from workflows.models import Notification
from workflows.services import clock_sweep, notify

from .models import ScheduledRun
from .retries import stalled_tasks_recover


def clock() -> dict:
    """Reminders, escalations, agency chases and review reopenings
    (workflows.services.clock_sweep, as `manage.py run_clock`)."""
    _ = get_resolver().url_patterns  # links in notifications need the URLconf
    return clock_sweep()


def orphan_files() -> dict:
    """Stored files no record points at, a day after they were written
    (records.orphans, as `manage.py remove_orphan_files`)."""
    return {"removed": len(orphan_files_remove())}


def draft_expiry(*, now=None) -> dict:
    """Concern drafts nobody has touched for CHRONICLE_DRAFT_DAYS are deleted: what
    someone typed about a child and never sent must not be kept for ever, outside
    the child's file and its retention. Each deletion is in the audit log (the
    draft's text is not)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.CHRONICLE_DRAFT_DAYS)
    removed = 0
    for draft in ConcernDraft.objects.filter(saved_at__lt=cutoff):
        draft.delete()
        removed += 1
    return {"removed": removed}


def held_files() -> dict:
    """Files stored while clamd was not answering (MALWARE_SCAN=hold) are scanned:
    clean ones released, harmful ones removed (records.uploads, as `manage.py
    scan_held_files`). Nothing to do when scanning is off; when clamd is still
    not answering they stay held and the next run tries again."""
    if not scanning_on():
        return {"scanning": "off"}
    try:
        released, removed = held_files_scan()
    except ScannerUnavailable:
        return {"scanner": "unavailable"}
    return {"released": released, "removed": removed}


def audit_checkpoint() -> dict:
    """A signed checkpoint of the audit chain, written outside the database
    (audit.checkpoints, as `manage.py audit_checkpoint`): entries removed from the
    end of the log since the last one are then found by verify_audit_chain."""
    checkpoint, _path = checkpoints.write(model=ChainedLogEntry)
    return {"last_id": checkpoint.last_id, "count": checkpoint.count}


def retention_reviews(*, today=None) -> dict:
    """Tell each school's DSLs when files of children who have left reach their
    retention review (the 25th birthday, records.retention): the files are on
    *Retention review* already, but nobody looks there unprompted. Each file is
    counted once: those whose review date came since the job last succeeded
    (today's alone, the first time). The notification names no child, only how
    many files and the school."""
    today = today or timezone.localdate()
    last = (
        ScheduledRun.objects.filter(job="retention_reviews")
        .values_list("succeeded_at", flat=True)
        .first()
    )
    since = timezone.localdate(last) if last else today - timedelta(days=1)
    reached = Pupil.objects.filter(
        date_left__isnull=False,
        date_of_birth__gt=born_on_or_before(since),
        date_of_birth__lte=born_on_or_before(today),
    )
    counts = dict(
        reached.values_list("school").annotate(n=Count("pk")).values_list("school", "n")
    )
    url = reverse("records_admin:retention_queue")
    for school in School.objects.filter(pk__in=counts):
        dsls = User.objects.filter(
            is_active=True, memberships__school=school, memberships__role=Role.DSL
        ).distinct()
        notify(
            users=dsls,
            kind=Notification.Kind.REMINDER,
            message=ngettext(
                "%(count)d file at %(school)s has reached its retention review "
                "date: review it on Retention review.",
                "%(count)d files at %(school)s have reached their retention review "
                "date: review them on Retention review.",
                counts[school.pk],
            )
            % {"count": counts[school.pk], "school": school},
            url=url,
        )
    return {"files": sum(counts.values()), "schools": len(counts)}


def finished_tasks(*, now=None) -> dict:
    """Tasks that succeeded more than CHRONICLE_TASK_KEEP_DAYS ago are deleted: one
    row per email sent would otherwise pile up for ever. Failed ones stay until a
    system administrator has retried them."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.CHRONICLE_TASK_KEEP_DAYS)
    removed, _by_model = (
        DBTaskResult.objects.successful().filter(finished_at__lt=cutoff).delete()
    )
    return {"removed": removed}


def stalled_tasks() -> dict:
    """Background tasks left running by a worker that stopped (ops.retries)."""
    return {"recovered": stalled_tasks_recover()}
