from .services import concern_process_start, due_dates_recompute


def start_concern_process(sender, *, concern, **kwargs):
    """Every submitted concern starts its process in the same transaction."""
    concern_process_start(concern=concern)


def raise_pattern_alerts(sender, *, concern, **kwargs):
    """After the concern's process has started, in the same transaction: does this
    concern make a pattern for any child named in it?"""
    from .patterns import pattern_alerts_raise

    pattern_alerts_raise(concern=concern)


def recompute_due_dates(sender, *, school, **kwargs):
    """Due dates follow the school calendar the DSL edits."""
    due_dates_recompute(school=school)


def ask_about_transfer_in(sender, *, pupil, user=None, **kwargs):
    """A child who joined recently: ask the DSL team whether a file should follow.
    A first import of the whole roll (children who joined long ago) asks nothing."""
    from accounts.models import Role

    from .transfers import joined_recently, transfer_in_start

    if not joined_recently(pupil):
        return
    if user is None and not pupil.school.memberships.filter(role=Role.DSL).exists():
        # A school with no DSL yet (being set up): nobody to ask. The DSL can
        # start it from the child's file later ("A file is expected").
        return
    transfer_in_start(pupil=pupil, user=user)


def forget_destroyed_file(sender, *, pupil, concerns, transfers, **kwargs):
    """A file is destroyed at its retention review: its tasks, processes and their
    notifications go with it (the destruction certificate says what went)."""
    from django.db.models import Q

    from .models import CaseProcess, Notification, PatternReview

    processes = list(
        CaseProcess.objects.filter(
            Q(concern__in=concerns)
            | Q(transfer__in=transfers)
            | Q(pattern_review__pupil=pupil)
        ).distinct()
    )
    Notification.objects.filter(task__process__in=processes).delete()
    PatternReview.objects.filter(pupil=pupil).delete()
    for process in processes:
        process.delete()
