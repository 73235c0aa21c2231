"""The front sheet at the top of a child's file: what is happening to this child,
in one screen. Built from the chronology already read, plus the few things that are
not events (current flags, key people, linked files, open tasks)."""

from django.db.models import Q
from django.utils import timezone

from .models import Concern, KeyPerson, PupilFlag, PupilLink

OPEN_TASK = ("NEW", "ASSIGNED", "STARTED")


def front_sheet(pupil, *, entries):
    today = timezone.localdate()
    concerns = {e.concern.pk: e.concern for e in entries if e.kind == "concern"}
    open_concerns = [c for c in concerns.values() if c.status != Concern.Status.CLOSED]
    decisions = [e for e in entries if e.kind == "decision"]
    referrals = [e.item for e in entries if e.kind == "referral"]
    reviews = [
        e.item.review_on
        for e in entries
        if e.kind in ("decision", "closure") and getattr(e.item, "review_on", None)
    ]
    return {
        "flags": PupilFlag.objects.filter(pupil=pupil, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by("flag_name"),
        "key_people": KeyPerson.objects.filter(pupil=pupil).filter(
            Q(to_date__isnull=True) | Q(to_date__gte=today)
        ),
        "links": _links(pupil),
        "open_concerns": sorted(open_concerns, key=lambda c: c.submitted_at),
        "open_tasks": _open_tasks(open_concerns),
        "agencies": _agencies(referrals),
        "key_decisions": decisions[:5],
        "next_review": min((d for d in reviews if d >= today), default=None),
        "last_review": max((d for d in reviews if d < today), default=None),
        "concern_count": len(concerns),
    }


def _links(pupil):
    links = PupilLink.objects.filter(
        Q(from_pupil=pupil) | Q(to_pupil=pupil)
    ).select_related("from_pupil", "to_pupil")
    return [
        {
            "pupil": link.to_pupil
            if link.from_pupil_id == pupil.pk
            else link.from_pupil,
            "kind": link.get_kind_display(),
            "note": link.note,
        }
        for link in links
    ]


def _open_tasks(concerns):
    """Open workflow tasks of the child's open concerns, through the concern's
    reverse relation (records does not import the workflow app)."""
    if not concerns:
        return []
    task_model = Concern._meta.get_field("tasks").related_model
    return list(
        task_model.objects.filter(
            concern__in=concerns, flow_task_type="HUMAN", status__in=OPEN_TASK
        )
        .select_related("owner", "concern", "referral", "action")
        .order_by("due_on", "created")
    )


def _agencies(referrals):
    """Each agency involved with its latest outcome (and reason, when no action)."""
    latest = {}
    for referral in sorted(referrals, key=lambda r: r.created_at):
        latest[referral.agency_name] = referral
    return list(latest.values())
