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
    from .transfers import joined_recently, transfer_in_start

    if joined_recently(pupil):
        transfer_in_start(pupil=pupil, user=user)
