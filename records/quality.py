"""Record quality: does each child's file tell the whole story?

Each check is one query over any set of files, so the same rule serves a single
file's health indicator and the list of files needing attention (a fixed number of
queries for either). A check yields (pupil id, the record it is about, what is
missing); the file page links each finding to its chronology entry.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    Action,
    Closure,
    Concern,
    ConcernPupil,
    Decision,
    FileNote,
    Referral,
    Triage,
)
from .selectors import concerns_visible_to

# An open concern with nothing recorded for this long has an unexplained gap.
GAP_DAYS = 28


@dataclass(frozen=True)
class Finding:
    pupil_id: int
    check: str
    reference: str
    message: str
    entry_key: str


def _involved(concerns, pupils):
    """(pupil id, concern) for each child of the set named in these concerns."""
    rows = ConcernPupil.objects.filter(
        concern__in=concerns, pupil__in=pupils.query_set
    ).select_related("concern")
    return [(row.pupil_id, row.concern) for row in rows]


def _voice(pupils, visible, today):
    """Neither on the concern nor in a later note about it."""
    concerns = visible.filter(child_voice="", child_voice_not_known="")
    rows = ConcernPupil.objects.filter(
        concern__in=concerns, pupil__in=pupils.query_set
    ).exclude(
        # heard later, in a note on this child's own file about this concern
        Exists(
            FileNote.objects.filter(
                concern=OuterRef("concern"), pupil=OuterRef("pupil")
            ).exclude(child_voice="")
        )
    )
    for row in rows.select_related("concern"):
        pupil_id, concern = row.pupil_id, row.concern
        yield Finding(
            pupil_id,
            "voice",
            concern.reference,
            _(
                "The child's voice is neither recorded nor explained: add it in a "
                "note about this concern."
            ),
            f"concern-{concern.pk}",
        )


def _rationale(pupils, visible, today):
    decisions = (
        Decision.objects.filter(
            concern__in=visible, concern__involvements__pupil__in=pupils
        )
        .filter(Q(rationale="") | Q(rationale__isnull=True))
        .distinct()
    )
    for decision in decisions.select_related("concern").prefetch_related(
        "concern__involvements"
    ):
        for involvement in decision.concern.involvements.all():
            if involvement.pupil_id in pupils:
                yield Finding(
                    involvement.pupil_id,
                    "rationale",
                    decision.concern.reference,
                    _("A decision has no rationale."),
                    f"decision-{decision.pk}",
                )


def _referral_outcomes(pupils, visible, today):
    referrals = (
        Referral.objects.filter(
            concern__in=visible, concern__involvements__pupil__in=pupils
        )
        .filter(
            Q(agency_outcome="", response_due__lt=today)
            | Q(agency_outcome=Referral.AgencyOutcome.NFA, agency_rationale="")
        )
        .distinct()
    )
    for referral in referrals.select_related("concern").prefetch_related(
        "concern__involvements"
    ):
        message = (
            _("%(agency)s took no further action and their reason is not recorded.")
            if referral.agency_outcome
            else _("No outcome recorded from %(agency)s (due %(due)s).")
        ) % {
            "agency": referral.agency_name,
            "due": referral.response_due.strftime("%d %b %Y"),
        }
        for involvement in referral.concern.involvements.all():
            if involvement.pupil_id in pupils:
                yield Finding(
                    involvement.pupil_id,
                    "outcome",
                    referral.concern.reference,
                    message,
                    f"referral-{referral.pk}",
                )


def _reviews(pupils, visible, today):
    """A review date passed on a concern that is still open, or a closure whose
    review did not happen."""
    open_concerns = visible.exclude(status=Concern.Status.CLOSED)
    # Only the current cycle's decision: a review that reopened the concern and led
    # to a new decision has happened.
    latest = Decision.objects.filter(concern=OuterRef("pk")).order_by(
        "-cycle", "-decided_at"
    )
    overdue = open_concerns.annotate(
        current_review=Subquery(latest.values("review_on")[:1])
    ).filter(current_review__lt=today)
    for pupil_id, concern in _involved(overdue, pupils):
        yield Finding(
            pupil_id,
            "review",
            concern.reference,
            _("A review date has passed while the concern is open."),
            f"concern-{concern.pk}",
        )
    closures = Closure.objects.filter(
        concern__in=visible,
        review_on__lt=today,
        reopened_at__isnull=True,
        concern__status=Concern.Status.CLOSED,
    )
    for pupil_id, concern in _involved(
        visible.filter(closures__in=closures).distinct(), pupils
    ):
        yield Finding(
            pupil_id,
            "review",
            concern.reference,
            _("The review set at closure has not happened."),
            f"concern-{concern.pk}",
        )


def _gaps(pupils, visible, today):
    """Open concerns with nothing recorded on them for GAP_DAYS."""
    since = timezone.now() - timedelta(days=GAP_DAYS)
    recent = {
        "triage": Triage.objects.filter(concern=OuterRef("pk"), triaged_at__gte=since),
        "decision": Decision.objects.filter(
            concern=OuterRef("pk"), decided_at__gte=since
        ),
        "referral": Referral.objects.filter(concern=OuterRef("pk")).filter(
            Q(created_at__gte=since)
            | Q(contacted_on__gte=timezone.localdate(since))
            | Q(responded_on__gte=timezone.localdate(since))
        ),
        "action": Action.objects.filter(concern=OuterRef("pk")).filter(
            Q(created_at__gte=since) | Q(completed_at__gte=since)
        ),
        "note": FileNote.objects.filter(concern=OuterRef("pk"), occurred_at__gte=since),
        "closure": Closure.objects.filter(concern=OuterRef("pk")).filter(
            Q(closed_at__gte=since)
            | Q(reopened_at__gte=since)
            | Q(signed_off_at__gte=since)
        ),
    }
    stale = visible.exclude(status=Concern.Status.CLOSED).filter(submitted_at__lt=since)
    for query in recent.values():
        stale = stale.exclude(Exists(query))
    for pupil_id, concern in _involved(stale, pupils):
        yield Finding(
            pupil_id,
            "gap",
            concern.reference,
            _("Open, with nothing recorded for over %(days)d days.")
            % {"days": GAP_DAYS},
            f"concern-{concern.pk}",
        )


CHECKS = [_voice, _rationale, _referral_outcomes, _reviews, _gaps]
LABELS = {
    "voice": _("Child's voice"),
    "rationale": _("Rationale"),
    "outcome": _("Agency outcomes"),
    "review": _("Reviews"),
    "gap": _("Gaps"),
}


def findings(*, user, pupils):
    """Every finding for these files (a queryset of pupils), as the user sees them.
    A fixed number of queries, however many files."""
    ids = PupilIds(pupils.values_list("pk", flat=True))
    if not ids:
        return []
    ids.query_set = pupils.values("pk")  # a subquery, not a list of ids
    # Only these children's concerns: every check is about them, and starting the
    # visibility test from their few concerns (the involvement index) keeps a
    # single file's checks from re-testing the whole trust's concerns.
    visible = concerns_visible_to(user).filter(
        pk__in=ConcernPupil.objects.filter(pupil__in=ids.query_set).values("concern")
    )
    today = timezone.localdate()
    return [finding for check in CHECKS for finding in check(ids, visible, today)]


class PupilIds(frozenset):
    """The files' ids for `in`, carrying the pupils' queryset (`query_set`) for a
    query's `__in`: a trust's thousands of ids never become a parameter list."""


def health(found):
    """A word and a level for the file's indicator."""
    if not found:
        return {"level": "good", "label": _("Tells the story: no gaps found")}
    if len(found) <= 2:
        return {"level": "attention", "label": _("Needs attention")}
    return {"level": "poor", "label": _("Incomplete")}
